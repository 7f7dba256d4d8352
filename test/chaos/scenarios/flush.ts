// External flushes: someone else wipes the rules (`nft flush ruleset` as `fw4 flush` does, the
// agent's table deleted as a careless fw4 include would, an iptables chain flushed) and the
// daemon must put them back, every time. Figures: restores, restore time p50/p99.
import { BACKENDS, type BackendSetting } from '../../testbed/index.ts';
import { blockedRows, expectTraffic } from '../../integration/support.ts';
import { createRig, ROUTER, type Rig } from '../../integration-mqtt/rig.ts';
import { agentPart, waitForPart } from '../kernel.ts';
import { percentile } from '../report.ts';
import type { ScenarioContext } from '../scenario.ts';

const RESTORE_TIMEOUT_MS = 15_000;

interface Flush {
  readonly name: string;
  readonly backend: BackendSetting;
  readonly argv: readonly string[];
}

export const FLUSHES: readonly Flush[] = [
  { name: 'nft_flush_ruleset', backend: BACKENDS.nftables, argv: ['nft', 'flush', 'ruleset'] },
  { name: 'nft_delete_table', backend: BACKENDS.nftables, argv: ['nft', 'delete', 'table', 'inet', 'op25b'] },
  { name: 'iptables_flush_chain', backend: BACKENDS.iptablesLegacy, argv: ['iptables-legacy', '-w', '-F', 'OP25B_BLOCK'] },
  { name: 'iptables_flush_forward', backend: BACKENDS.iptablesLegacy, argv: ['ip6tables-legacy', '-w', '-F', 'FORWARD'] },
]; // prettier-ignore

async function flushes(
  context: ScenarioContext,
  backend: BackendSetting,
  kinds: readonly Flush[],
  count: number,
  times: number[],
  failures: string[],
): Promise<number> {
  const rig: Rig = await createRig({ backend });
  let done = 0;
  try {
    await rig.startAgent(
      rig.config(ROUTER, {
        // iptables has no monitor: a short periodic check (nftables reacts to nft monitor).
        agent: { verify_interval: backend.backend === 'iptables' ? 1 : undefined },
      }),
    );
    const reference = await agentPart(rig.bed, backend);
    if (reference === '') throw new Error('the agent did not apply its rules');
    for (let i = 0; i < count && performance.now() < context.deadline; i++) {
      const kind = kinds[i % kinds.length]!;
      await rig.bed.execOk('router', kind.argv);
      const ms = await waitForPart(rig.bed, backend, reference, RESTORE_TIMEOUT_MS);
      done++;
      if (ms === null)
        failures.push(`${kind.name} #${i}: not restored within ${RESTORE_TIMEOUT_MS} ms`);
      else times.push(ms);
    }
    // Port 25 must be refused again. (Only the block: a flush also removed the fw4/fw3
    // stand-in's own rules, which are not the agent's to restore.)
    await expectTraffic(rig.bed, blockedRows('refused')).catch((error: unknown) =>
      failures.push(`after the flushes the block does not hold: ${String(error).slice(0, 300)}`),
    );
  } finally {
    await rig.destroy();
  }
  return done;
}

export async function flushScenario(context: ScenarioContext): Promise<void> {
  const { report, count } = context;
  const times: number[] = [];
  const failures: string[] = [];
  const nft = FLUSHES.filter((f) => f.backend.backend === 'nftables');
  const ipt = FLUSHES.filter((f) => f.backend.backend === 'iptables');
  const nftCount = Math.ceil((count * nft.length) / FLUSHES.length);
  let done = await flushes(context, BACKENDS.nftables, nft, nftCount, times, failures);
  done += await flushes(context, BACKENDS.iptablesLegacy, ipt, count - nftCount, times, failures);
  report.figure('flush.flushes', done);
  report.figure('flush.restores', times.length);
  report.figure('flush.restore_p50_ms', percentile(times, 50));
  report.figure('flush.restore_p99_ms', percentile(times, 99));
  report.figure('flush.restore_max_ms', times.length ? Math.max(...times) : Number.NaN);
  for (const f of failures.slice(0, 5)) report.figure('flush.failure', f);
  report.check(
    'flush.all_restored',
    failures.length === 0 && done === count,
    `${times.length} of ${count} restored`,
  );
}
