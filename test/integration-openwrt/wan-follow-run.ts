// One run of the WAN-follow scenario: the test bed, stand-ins and agent files it sets up, the
// daemon and prober its steps start, and the waits and checks the steps share.
import * as assert from 'uvu/assert';
import type { BackendSetting } from '../testbed/agent.ts';
import { checkAgentBuilt } from '../testbed/agent.ts';
import { PLAN } from '../testbed/plan.ts';
import { createTestbed, type Testbed } from '../testbed/testbed.ts';
import { BOARD } from '../openwrt-standins/board.ts';
import { createStandinDir, type StandinDir } from '../openwrt-standins/standin-dir.ts';
import { agentFiles, type AgentFiles } from './agent-files.ts';
import type { Daemon } from './agent-process.ts';
import { waitForDevices } from './kernel-devices.ts';
import type { Prober, ProbeRecord } from './lan-prober.ts';
import { WanLink } from './wan-link.ts';
import { pppoe, RELAY_25 } from './wan-follow-plan.ts';

export class WanFollowRun {
  bed: Testbed | null = null;
  standins: StandinDir | null = null;
  files: AgentFiles | null = null;
  daemon: Daemon | null = null;
  prober: Prober | null = null;
  configPath = '';
  setupError: unknown = null;
  session: WanLink | null = null;
  wwan: WanLink | null = null;

  constructor(readonly setting: BackendSetting) {}

  readonly ready = () => {
    if (this.setupError) throw this.setupError;
    return { bed: this.bed!, standins: this.standins!, files: this.files! };
  };
  readonly syslog = () => this.standins!.syslog();
  readonly failureContext = () =>
    `\n--- syslog:\n${this.syslog().slice(-40).join('\n')}\n--- stderr:\n${this.daemon?.stderr().slice(-2000)}`;
  readonly waitSyslog = async (pattern: RegExp, timeoutMs = 3000, from = 0): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.syslog()
        .slice(from)
        .find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline)
        throw new Error(`no syslog line ${pattern}${this.failureContext()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  readonly applies = () => this.syslog().filter((l) => / op25b: enforcing: /.test(l)).length;
  readonly expectDevices = async (devices: string[], timeoutMs = 3000) => {
    try {
      return await waitForDevices(this.bed!, this.setting, devices, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}${this.failureContext()}`);
    }
  };
  /** Probes since `mark`: none may reach foreign:25; the relay must answer through the WAN. */
  readonly expectBlockHeld = async (mark: number, what: string) => {
    const deadline = Date.now() + 5000;
    let since: ProbeRecord[] = [];
    for (;;) {
      since = this.prober!.records().slice(mark);
      const relayOk = since.some(
        (r) => r.host === RELAY_25.host && r.port === 25 && r.result === 'connected',
      );
      const foreignTried = since.filter((r) => r.port === 25 && r.host !== RELAY_25.host).length;
      if (relayOk && foreignTried >= 4) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const through = since.filter(
      (r) => r.port === 25 && r.host !== RELAY_25.host && r.result === 'connected',
    );
    assert.equal(through, [], `${what}: port 25 of the foreign host was reached`);
    assert.ok(
      since.some((r) => r.host === RELAY_25.host && r.port === 25 && r.result === 'connected'),
      `${what}: the relay did not answer: ${JSON.stringify(since.slice(-8))}`,
    );
    assert.ok(
      since.some((r) => r.port === 25 && r.host !== RELAY_25.host && r.result === 'refused'),
      `${what}: no rejected attempt seen`,
    );
  };

  /** The suite's before: a failure is kept and thrown by ready() in each step. */
  async setUp(): Promise<void> {
    try {
      checkAgentBuilt();
      this.bed = await createTestbed();
      await this.bed.installBaseline(this.setting);
      this.standins = createStandinDir();
      this.files = agentFiles();
      this.standins.answer('system', 'board', BOARD);
      this.standins.setInterface('lan', {
        up: true,
        proto: 'static',
        device: 'lan1',
        l3_device: 'lan1',
      });
      this.standins.setInterface('wan', pppoe(false));
      this.standins.setInterface('wan6', {
        up: true,
        proto: 'dhcpv6',
        device: 'wan',
        l3_device: 'wan',
        'ipv6-address': [{ address: PLAN.wan.router.ipv6, mask: 64 }],
      });
      this.session = new WanLink(this.bed, 'pppoe-wan', 0);
      this.wwan = new WanLink(this.bed, 'wwan0', 1);
    } catch (error) {
      this.setupError = error;
    }
  }

  async tearDown(): Promise<void> {
    await this.prober?.stop().catch(() => {});
    await this.daemon?.stop().catch(() => {});
    await this.bed?.destroy().catch(() => {});
    this.standins?.remove();
    this.files?.remove();
  }
}
