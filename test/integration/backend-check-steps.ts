// The backend suite's checks of what the agent reports and refuses: verify names the drift a
// tampering causes (and apply repairs it), status counts blocked attempts, a bad config exits 2.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  EXIT,
  IP_FAMILIES,
  PLAN,
  SMTP_PORT,
  type BackendSetting,
  type IpFamily,
  type NodeName,
  type PolicyConfig,
} from '../testbed/index.ts';
import type { BackendContext } from './backend-context.ts';
import { expectSameRuleset } from './backend-ruleset.ts';
import { blockedRows, expectExit, expectTraffic } from './support.ts';

interface StatusDocument {
  policy: { enabled: boolean; version: number; source: string };
  enforcement: { applied: boolean; drift: string[]; backend: string };
  counters: {
    blocked_packets: number;
    blocked_bytes: number;
    top_sources: { address: string; attempts: number }[];
  };
}

/** The tampering a test does to the agent's rules, and the drift verify must name for it. */
interface Tampering {
  readonly label: string;
  readonly argv: readonly string[];
  readonly drift: string;
  /** Traffic the tampering opens again (checked to prove it mattered). */
  readonly reopens: { from: NodeName; family: IpFamily };
}

function tamperings(setting: BackendSetting): Tampering[] {
  if (setting.backend === 'nftables')
    return [
      {
        label: 'table deleted',
        argv: ['nft', 'delete', 'table', 'inet', 'op25b'],
        drift: 'table inet op25b is missing',
        reopens: { from: 'lan1', family: 'ipv4' },
      },
      {
        label: 'block chain flushed',
        argv: ['nft', 'flush', 'chain', 'inet', 'op25b', 'block'],
        drift: 'chain block rule 1 is missing',
        reopens: { from: 'lan1', family: 'ipv6' },
      },
    ];
  const variant = setting.iptablesVariant!;
  return [
    {
      label: 'FORWARD jump deleted (IPv4)',
      argv: [`iptables-${variant}`, '-w', '-D', 'FORWARD', '-j', 'OP25B'],
      drift: 'iptables: FORWARD does not jump to OP25B',
      reopens: { from: 'lan1', family: 'ipv4' },
    },
    {
      label: 'OP25B_BLOCK flushed (IPv6)',
      argv: [`ip6tables-${variant}`, '-w', '-F', 'OP25B_BLOCK'],
      drift: 'ip6tables: OP25B_BLOCK rule 1 is missing',
      reopens: { from: 'lan1', family: 'ipv6' },
    },
  ];
}

export function checkSteps(test: Test, ctx: BackendContext): void {
  const { setting, holder, policy } = ctx;

  test('verify: 0 when applied, 3 naming the drift after tampering, apply repairs', async () => {
    const bed = holder.get();
    const config = policy({ action: 'reject' });
    expectExit(await bed.agent.runWith('apply', config), EXIT.ok, 'apply');
    const ok = await bed.agent.runWith('verify', config);
    expectExit(ok, EXIT.ok, 'verify after apply');
    assert.match(ok.stdout, /^ok \(/);
    for (const tampering of tamperings(setting)) {
      await bed.execOk('router', tampering.argv);
      const { from, family } = tampering.reopens;
      const host = PLAN.wan.foreign[family];
      const rows = (expect: 'connected' | 'refused') => [
        { label: `${from} -> foreign:25 (${family})`, from, host, port: SMTP_PORT, expect },
      ];
      await expectTraffic(bed, rows('connected'));
      const drift = await bed.agent.runWith('verify', config);
      expectExit(drift, EXIT.drift, `verify after ${tampering.label}`);
      assert.ok(
        drift.stdout.includes(tampering.drift),
        `verify after ${tampering.label} should name "${tampering.drift}", said:\n${drift.stdout}`,
      );
      const repair = await bed.agent.runWith('apply', config);
      expectExit(repair, EXIT.ok, `apply after ${tampering.label}`);
      assert.match(repair.stdout, /^applied \(/);
      expectExit(await bed.agent.runWith('verify', config), EXIT.ok, 'verify after repair');
      await expectTraffic(bed, rows('refused'));
    }
  });

  test('status counts blocked attempts and names the lan1 host (IPv4 and IPv6)', async () => {
    const bed = holder.get();
    const config = policy({ action: 'reject' });
    expectExit(await bed.agent.runWith('apply', config), EXIT.ok, 'apply');
    const status = async (): Promise<StatusDocument> => {
      const result = await bed.agent.runWith('status', config);
      expectExit(result, EXIT.ok, 'status');
      return JSON.parse(result.stdout) as StatusDocument;
    };
    const fresh = await status();
    assert.is(fresh.enforcement.applied, true);
    assert.is(fresh.enforcement.backend, setting.backend);
    assert.equal(fresh.enforcement.drift, []);
    assert.equal([fresh.policy.source, fresh.policy.version], ['config', 0]);
    assert.is(fresh.counters.blocked_packets, 0, 'a fresh block has counted nothing');
    const attempts = 2;
    const rows = IP_FAMILIES.flatMap((family) =>
      Array.from({ length: attempts }, () => ({
        label: `lan1 -> foreign:25 (${family})`,
        from: 'lan1' as const,
        host: PLAN.wan.foreign[family],
        port: SMTP_PORT,
        expect: 'refused' as const,
      })),
    );
    await expectTraffic(bed, rows);
    const counted = await status();
    assert.ok(
      counted.counters.blocked_packets >= rows.length,
      `blocked_packets ${counted.counters.blocked_packets} < ${rows.length} attempts`,
    );
    assert.ok(counted.counters.blocked_bytes > 0, 'blocked_bytes should be counted');
    for (const family of IP_FAMILIES) {
      const source = counted.counters.top_sources.find((s) => s.address === PLAN.lan1.host[family]);
      assert.ok(
        source && source.attempts >= attempts,
        `top_sources should name ${PLAN.lan1.host[family]} with >= ${attempts} attempts: ` +
          JSON.stringify(counted.counters.top_sources),
      );
    }
  });

  test('a bad config exits 2 with one line naming the value and changes nothing', async () => {
    const bed = holder.get();
    const cases: { overrides: PolicyConfig; value: string }[] = [
      { overrides: { allow: ['1.2.3.4; reboot'] }, value: '1.2.3.4; reboot' },
      { overrides: { ports: ['25; reboot'] }, value: '25; reboot' },
      { overrides: { wanDevices: ['wan; reboot'] }, value: 'wan; reboot' },
      { overrides: { action: 'allow' }, value: 'allow' },
    ];
    const attempt = async (state: string): Promise<void> => {
      const before = await bed.snapshot();
      for (const { overrides, value } of cases) {
        const commands =
          value === cases[0]!.value ? ['apply', 'verify', 'status', 'print'] : ['apply', 'verify'];
        for (const command of commands) {
          const result = await bed.agent.runWith(command, policy(overrides));
          const what = `${command} with ${JSON.stringify(overrides)} (${state})`;
          expectExit(result, EXIT.badInput, what);
          const lines = result.stderr.split('\n').filter((l) => l !== '');
          assert.is(lines.length, 1, `${what}: one error line, got:\n${result.stderr}`);
          assert.ok(
            lines[0]!.includes(JSON.stringify(value)),
            `${what}: the error should name ${JSON.stringify(value)}: ${lines[0]}`,
          );
          assert.is(result.stdout, '', `${what}: nothing on stdout`);
        }
      }
      const missing = '/nonexistent/op25b.uci';
      const result = await bed.agent.run(['apply', '--config', missing]);
      expectExit(result, EXIT.badInput, `apply with a missing config (${state})`);
      assert.ok(
        result.stderr.includes(JSON.stringify(missing)),
        `should name the file: ${result.stderr}`,
      );
      expectSameRuleset(before, await bed.snapshot(), `bad configs (${state})`);
    };
    await attempt('no block yet');
    expectExit(await bed.agent.runWith('apply', policy({ action: 'reject' })), EXIT.ok, 'apply');
    await attempt('block on');
    await expectTraffic(bed, blockedRows('refused', ['ipv4']));
  });
}
