// The test bed the CLI tests share: the router namespace with an nftables baseline, the ubus
// stand-ins answering for the board and a PPPoE wan, the agent's files; and the policy they use.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKENDS, checkAgentBuilt, type PolicyConfig } from '../testbed/agent.ts';
import type { ExecResult } from '../testbed/exec.ts';
import { PLAN } from '../testbed/plan.ts';
import { createTestbed, type Testbed } from '../testbed/testbed.ts';
import { createStandinDir, type StandinDir } from '../openwrt-standins/standin-dir.ts';
import { agentFiles, type AgentFiles } from './agent-files.ts';

export const setting = BACKENDS.nftables;

export const POLICY: PolicyConfig = {
  enabled: true,
  action: 'reject',
  ports: [25],
  allow: [PLAN.wan.relay.ipv4],
  backend: 'nftables',
};

export function expectExit(result: ExecResult, code: number, what: string): void {
  assert.ok(
    result.code === code,
    `${what}: exit ${result.code}, expected ${code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  );
}

/** Sets the bed up before `test`'s first test, removes it after; returns the suite's ready(). */
export function cliBed(test: Test): () => {
  bed: Testbed;
  standins: StandinDir;
  files: AgentFiles;
} {
  let bed: Testbed | null = null;
  let standins: StandinDir | null = null;
  let files: AgentFiles | null = null;
  let setupError: unknown = null;

  function ready() {
    if (setupError) throw setupError;
    return { bed: bed!, standins: standins!, files: files! };
  }

  test.before(async () => {
    try {
      checkAgentBuilt();
      bed = await createTestbed();
      await bed.installBaseline(setting);
      standins = createStandinDir();
      files = agentFiles();
      standins.answer('system', 'board', {
        model: 'Test Router',
        board_name: 'test,router',
        release: { distribution: 'OpenWrt', version: '23.05.5', revision: 'r24106-10cc5fcd00' },
      });
      standins.setInterface('wan', {
        up: true,
        proto: 'pppoe',
        device: 'wan',
        l3_device: 'pppoe-wan',
      });
      standins.setInterface('wan6', { up: false, proto: 'dhcpv6', device: 'wan' });
    } catch (error) {
      setupError = error;
    }
  });

  test.after(async () => {
    await bed?.destroy().catch(() => {});
    standins?.remove();
    files?.remove();
  });

  return ready;
}
