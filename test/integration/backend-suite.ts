// The integration suite run against one netfilter backend in a real kernel: every check goes
// through real connections in network namespaces, before and after the agent acts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkAgentBuilt,
  createTestbed,
  EXIT,
  IP_FAMILIES,
  PLAN,
  SMTP_PORT,
  type BackendSetting,
  type ConntrackEntry,
  type HeldConnection,
  type IpFamily,
  type NodeName,
  type PolicyConfig,
  type RulesetSnapshot,
  type Testbed,
} from '../testbed/index.ts';
import {
  allowedRows,
  bedHolder,
  blockedRows,
  expectExit,
  expectTraffic,
  standardPolicy,
} from './support.ts';

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

function snapshotDiff(a: RulesetSnapshot, b: RulesetSnapshot): string {
  const keys = Object.keys(a) as (keyof RulesetSnapshot)[];
  return keys
    .filter((k) => a[k] !== b[k])
    .map((k) => `--- ${k} before:\n${a[k]}\n--- ${k} after:\n${b[k]}`)
    .join('\n');
}

function expectSameRuleset(want: RulesetSnapshot, have: RulesetSnapshot, what: string): void {
  assert.ok(
    JSON.stringify(want) === JSON.stringify(have),
    `${what}: ruleset differs\n${snapshotDiff(want, have)}`,
  );
}

function flowOf(
  entries: readonly ConntrackEntry[],
  held: HeldConnection,
): ConntrackEntry | undefined {
  return entries.find(
    (e) => e.dst === held.host && e.sport === held.localPort && e.dport === held.port,
  );
}

export function backendSuite(setting: BackendSetting): void {
  const test = suite(`integration: ${setting.label}`);
  const holder = bedHolder();
  let baseline: RulesetSnapshot | null = null;
  const policy = (overrides: PolicyConfig = {}) => standardPolicy(setting, overrides);

  test.before(async () => {
    try {
      checkAgentBuilt();
      const bed = await createTestbed();
      holder.set(bed);
      await bed.installBaseline(setting);
      baseline = await bed.snapshot();
    } catch (error) {
      holder.fail(error);
    }
  });

  // Every test starts from the baseline firewall with no agent rules and no tracked flows.
  test.before.each(async () => {
    const bed = holder.get();
    await bed.installBaseline(setting);
    expectSameRuleset(baseline!, await bed.snapshot(), 'baseline reset');
  });

  test.after(async () => {
    const bed = holder.take();
    if (bed) await bed.destroy();
  });

  test('before apply everything connects, and verify reports the block missing', async () => {
    const bed = holder.get();
    await expectTraffic(bed, [...blockedRows('connected'), ...allowedRows()]);
    const verify = await bed.agent.runWith('verify', policy());
    expectExit(verify, EXIT.drift, 'verify before apply');
  });

  test('drop: port 25 to foreign hosts times out from LANs and router; the rest passes', async () => {
    const bed = holder.get();
    const apply = await bed.agent.runWith('apply', policy({ action: 'drop' }));
    expectExit(apply, EXIT.ok, 'apply');
    assert.match(apply.stdout, /^applied \(/);
    await expectTraffic(bed, [...blockedRows('timeout'), ...allowedRows()]);
  });

  test('reject: port 25 to foreign hosts is refused at once; the rest passes', async () => {
    const bed = holder.get();
    expectExit(await bed.agent.runWith('apply', policy({ action: 'reject' })), EXIT.ok, 'apply');
    await expectTraffic(bed, [...blockedRows('refused'), ...allowedRows()]);
  });

  test('apply twice: the same ruleset, and the second apply says "already in place"', async () => {
    const bed = holder.get();
    expectExit(await bed.agent.runWith('apply', policy()), EXIT.ok, 'first apply');
    const first = await bed.snapshot();
    const again = await bed.agent.runWith('apply', policy());
    expectExit(again, EXIT.ok, 'second apply');
    assert.match(again.stdout, /^already in place \(/);
    expectSameRuleset(first, await bed.snapshot(), 'second apply');
    // The snapshot does see a policy change (so the equality above means something).
    const changed = await bed.agent.runWith('apply', policy({ action: 'reject' }));
    expectExit(changed, EXIT.ok, 'apply with another action');
    assert.match(changed.stdout, /^applied \(/);
    assert.not.equal(await bed.snapshot(), first, 'a new action must change the ruleset');
  });

  test('remove restores exactly the ruleset from before the first apply', async () => {
    const bed = holder.get();
    const before = await bed.snapshot();
    expectSameRuleset(baseline!, before, 'before the first apply');
    // A life before removal: a block, counted traffic, a policy change.
    expectExit(await bed.agent.runWith('apply', policy({ action: 'reject' })), EXIT.ok, 'apply');
    assert.not.equal(await bed.snapshot(), before, 'apply must add rules');
    await expectTraffic(bed, blockedRows('refused'));
    expectExit(await bed.agent.runWith('apply', policy()), EXIT.ok, 'apply (drop)');
    const remove = await bed.agent.run(['remove']);
    expectExit(remove, EXIT.ok, 'remove');
    assert.match(remove.stdout, /^removed/);
    expectSameRuleset(before, await bed.snapshot(), 'after remove');
    expectExit(await bed.agent.run(['remove']), EXIT.ok, 'second remove');
    expectSameRuleset(before, await bed.snapshot(), 'after a second remove');
    await expectTraffic(bed, blockedRows('connected'));
  });

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

  test("enabled '0': apply removes the block and connections succeed again", async () => {
    const bed = holder.get();
    expectExit(await bed.agent.runWith('apply', policy({ action: 'reject' })), EXIT.ok, 'apply');
    await expectTraffic(bed, blockedRows('refused'));
    const off = policy({ enabled: '0' });
    const apply = await bed.agent.runWith('apply', off);
    expectExit(apply, EXIT.ok, "apply with enabled '0'");
    assert.match(apply.stdout, /^applied \(.*block off/);
    await expectTraffic(bed, [...blockedRows('connected'), ...allowedRows()]);
    expectSameRuleset(baseline!, await bed.snapshot(), "after apply with enabled '0'");
    expectExit(await bed.agent.runWith('verify', off), EXIT.ok, "verify with enabled '0'");
    const again = await bed.agent.runWith('apply', off);
    expectExit(again, EXIT.ok, "second apply with enabled '0'");
    assert.match(again.stdout, /^already in place/);
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

  for (const action of ['drop', 'reject'] as const) {
    test(`apply (${action}) cuts open port-25 flows to foreign hosts, and only those`, async () => {
      const bed = holder.get();
      const held: { conn: HeldConnection; family: IpFamily; cut: boolean; label: string }[] = [];
      try {
        for (const family of IP_FAMILIES) {
          const open = async (from: NodeName, host: string, port: number, cut: boolean) => {
            const conn = await bed.hold(from, host, port);
            held.push({ conn, family, cut, label: `${from} -> ${host}:${port}` });
          };
          await Promise.all([
            open('lan1', PLAN.wan.foreign[family], SMTP_PORT, true),
            open('router', PLAN.wan.foreign[family], SMTP_PORT, true),
            // Flows the block does not cover must survive: relay, submission, LAN to LAN.
            open('lan1', PLAN.wan.relay[family], SMTP_PORT, false),
            open('lan1', PLAN.wan.foreign[family], 587, false),
            open('lan1', PLAN.lan2.host[family], SMTP_PORT, false),
          ]);
        }
        const pings = await Promise.all(held.map((h) => h.conn.ping(1000)));
        assert.equal(
          pings,
          held.map(() => 'pong'),
          'every held connection works before apply',
        );
        const tracked = async () => ({
          ipv4: await bed.conntrack('ipv4'),
          ipv6: await bed.conntrack('ipv6'),
        });
        const before = await tracked();
        for (const h of held) {
          const entry = flowOf(before[h.family], h.conn);
          assert.ok(
            entry,
            `${h.label}: no conntrack entry before apply:\n${before[h.family].map((e) => e.line).join('\n')}`,
          );
          assert.is(entry!.state, 'ESTABLISHED', `${h.label}: ${entry!.line}`);
        }

        const apply = await bed.agent.runWith('apply', policy({ action }));
        expectExit(apply, EXIT.ok, 'apply');
        assert.match(apply.stdout, /^cut open connections to /m);
        for (const family of IP_FAMILIES)
          assert.ok(
            apply.stdout.includes(PLAN.wan.foreign[family]),
            `apply should report cutting ${PLAN.wan.foreign[family]}: ${apply.stdout}`,
          );

        const after = await tracked();
        for (const h of held) {
          const entry = flowOf(after[h.family], h.conn);
          if (h.cut)
            assert.not.ok(entry, `${h.label}: conntrack entry survived apply: ${entry?.line}`);
          else assert.ok(entry, `${h.label}: conntrack entry was removed, the flow is not blocked`);
        }

        // The cut flows can no longer exchange data; the others still can.
        const replies = await Promise.all(held.map((h) => h.conn.ping(700)));
        const problems = held.flatMap((h, i) => {
          const reply = replies[i];
          if (!h.cut) return reply === 'pong' ? [] : [`${h.label}: a flow to keep got ${reply}`];
          // drop: the data goes unanswered; reject: the next packet draws a TCP reset.
          const expected = action === 'drop' ? 'no-reply' : 'closed';
          return reply === expected ? [] : [`${h.label}: expected ${expected}, got ${reply}`];
        });
        assert.ok(problems.length === 0, problems.join('\n'));
        const later = await tracked();
        for (const h of held.filter((x) => x.cut))
          assert.not.ok(
            flowOf(later[h.family], h.conn),
            `${h.label}: the cut flow is tracked again after it tried to send`,
          );
      } finally {
        for (const h of held) h.conn.close();
      }
    });
  }

  test.run();
}
