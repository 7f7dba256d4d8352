// Rules removed behind the daemon's back come back, and the status it publishes counts the
// repairs: nftables (noticed through `nft monitor`) and iptables-legacy (periodic check).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, type BackendSetting } from '../testbed/index.ts';
import {
  createRig,
  expectBlock,
  expectSameRuleset,
  nextStatus,
  request,
  ROUTER,
  T,
  WAIT_MS,
  waitUntil,
  comparable,
  type Agent,
  type Rig,
} from './rig.ts';
import { expectMessagesMatchSchemas } from './schemas.ts';

interface Tampering {
  readonly label: string;
  readonly argv: readonly string[];
  /** A drift line the status must name in last_repair. */
  readonly drift: RegExp;
}

const TAMPERINGS: Record<'nftables' | 'iptables-legacy', Tampering[]> = {
  nftables: [
    {
      label: 'nft delete table inet op25b',
      argv: ['nft', 'delete', 'table', 'inet', 'op25b'],
      drift: /table inet op25b is missing/,
    },
    {
      label: 'nft flush chain inet op25b block',
      argv: ['nft', 'flush', 'chain', 'inet', 'op25b', 'block'],
      drift: /chain block/,
    },
  ],
  'iptables-legacy': [
    {
      label: 'iptables -D FORWARD -j OP25B',
      argv: ['iptables-legacy', '-w', '-D', 'FORWARD', '-j', 'OP25B'],
      drift: /FORWARD does not jump to OP25B/,
    },
    {
      label: 'ip6tables -F OP25B_BLOCK',
      argv: ['ip6tables-legacy', '-w', '-F', 'OP25B_BLOCK'],
      drift: /OP25B_BLOCK/,
    },
  ],
};

function repairSuite(setting: BackendSetting & { label: 'nftables' | 'iptables-legacy' }): void {
  const test = suite(`mqtt: self-repair (${setting.label})`);
  let rig: Rig | null = null;
  let agent: Agent | null = null;
  let setupError: unknown = null;
  const theRig = (): Rig => {
    if (rig) return rig;
    throw setupError instanceof Error ? setupError : new Error(String(setupError));
  };

  test.before(async () => {
    try {
      rig = await createRig({ backend: setting });
    } catch (error) {
      setupError = error;
    }
  });

  test.after(async () => {
    await rig?.destroy();
    rig = null;
  });

  test('rules deleted behind the agent back are restored; status counts the repairs', async () => {
    const r = theRig();
    agent = await r.startAgent(
      r.config(ROUTER, {
        policy: { enabled: false },
        // iptables has no monitor: a short periodic check (nftables keeps its default, an hour,
        // so a repair within WAIT_MS proves the nft monitor path).
        agent: { verify_interval: setting.backend === 'iptables' ? 1 : undefined },
      }),
    );
    const reply = await request(r, T.desired, JSON.stringify({ version: 1, enabled: true }), {
      retain: true,
    });
    assert.equal(reply, { version: 1, ok: true });
    await expectBlock(r, true);
    const rules = await r.bed.snapshot();
    let repairs = 0;
    for (const tampering of TAMPERINGS[setting.label]) {
      const from = r.isp.messages.length;
      const logFrom = agent.daemon.log().length;
      await r.bed.execOk('router', tampering.argv);
      await agent.daemon.waitLog(/rules restored/, WAIT_MS, logFrom);
      repairs++;
      await waitUntil(`${tampering.label}: the ruleset restored`, async () => {
        const now = comparable(await r.bed.snapshot());
        return JSON.stringify(now) === JSON.stringify(comparable(rules)) ? true : undefined;
      }).catch(async (error: unknown) => {
        expectSameRuleset(rules, await r.bed.snapshot(), tampering.label);
        throw error;
      });
      await expectBlock(r, true);
      const status = await nextStatus(r, from, (s) => s.enforcement.repairs === repairs);
      assert.is(status.enforcement.applied, true);
      assert.equal(status.enforcement.drift, []);
      assert.ok(status.enforcement.last_repair, 'no last_repair');
      const drift = status.enforcement.last_repair!.drift.join('; ');
      assert.match(drift, tampering.drift, `${tampering.label}: drift was ${drift}`);
    }
    const cli = await r.cli(['status', '--config', agent.configPath]);
    const live = JSON.parse(cli.stdout) as { enforcement: { repairs: number } };
    assert.is(live.enforcement.repairs, repairs, 'the status CLI must show the repairs');
  });

  test('every message the agent published matches the JSON Schemas (when schemas/ exists)', async () => {
    await expectMessagesMatchSchemas(theRig().isp.messages, ROUTER);
  });

  test.run();
}

repairSuite({ ...BACKENDS.nftables, label: 'nftables' });
repairSuite({ ...BACKENDS.iptablesLegacy, label: 'iptables-legacy' });
