// The backend suite's step on open flows: apply (drop or reject) cuts established port-25 flows
// to foreign hosts, and only those, in conntrack and on the wire.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  EXIT,
  IP_FAMILIES,
  PLAN,
  SMTP_PORT,
  type ConntrackEntry,
  type HeldConnection,
  type IpFamily,
  type NodeName,
} from '../testbed/index.ts';
import type { BackendContext } from './backend-context.ts';
import { expectExit } from './support.ts';

function flowOf(
  entries: readonly ConntrackEntry[],
  held: HeldConnection,
): ConntrackEntry | undefined {
  return entries.find(
    (e) => e.dst === held.host && e.sport === held.localPort && e.dport === held.port,
  );
}

export function flowSteps(test: Test, ctx: BackendContext): void {
  const { holder, policy } = ctx;

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
}
