// One tree run, plain or TLS (signed or not): the daemon under `unshare --pid --fork`, its
// processes and memory once connected, then its idle CPU and the programs it starts.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishRetained, waitOnline } from './bench-tree-mqtt.ts';
import {
  config,
  DEVICE,
  IDLE_MS,
  PLAIN_PORT,
  SETTLE_MS,
  SIGNED_DEVICE,
  sleep,
  stop,
  type Signed,
  type TreeBenchOptions,
} from './bench-tree-rig.ts';
import { judge, TARGET } from './bench-tree-targets.ts';
import { cpuNs, lastPidIn, memoryKb, read, treeOf } from './proc-tree.ts';

/** The tree idle and connected; a `signed` run (memory only, no idle window) first verifies and
 * applies a signed desired state, which builds the verifier's tables (ed25519-verify.js). */
export async function measure(
  { dir, qjs, bundle, line }: TreeBenchOptions,
  label: string,
  broker: string,
  caFile: string | null,
  signed: Signed | null = null,
): Promise<void> {
  const home = join(dir, `tree-${label.replace(/\W+/g, '-')}`);
  mkdirSync(join(home, 'state'), { recursive: true });
  const configPath = join(home, 'op25b.uci');
  writeFileSync(configPath, config(home, broker, caFile, null, signed));
  if (signed) await publishRetained(`op25b/v1/${SIGNED_DEVICE}/desired`, signed.token);
  // `unshare` stays the parent; the daemon is its one child, process 1 of the new namespace.
  const wrapper = spawn(
    'unshare',
    ['--pid', '--fork', '--', qjs, bundle, 'run', '--config', configPath],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  wrapper.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let daemon: number | undefined;
  try {
    await waitOnline(PLAIN_PORT, signed ? SIGNED_DEVICE : DEVICE, signed ? 1 : undefined);
    await sleep(SETTLE_MS);
    daemon = treeOf(wrapper.pid!)[1];
    if (daemon === undefined) throw new Error('no daemon under unshare');
    const pids = treeOf(daemon);
    const names = pids.map((p) => (read(`/proc/${p}/comm`) ?? '?').trim());
    const mem = pids.map(memoryKb);
    const sum = (key: 'rss' | 'pss' | 'anon') => mem.reduce((total, m) => total + m[key], 0);
    const each = names.map((n, i) => `${n} ${mem[i]!.rss}/${mem[i]!.pss}/${mem[i]!.anon}`);
    line(
      `tree, ${label}: processes (RSS/PSS/anonymous KB each)`,
      `${pids.length} (${each.join(', ')}) ${judge(pids.length <= TARGET.processes, `<= ${TARGET.processes}`)}`,
    );
    line(`tree, ${label}: RSS / PSS, daemon alone`, `${mem[0]!.rss} / ${mem[0]!.pss} KB`);
    // Without swap the kernel can drop only file pages (read back from flash when needed): the
    // anonymous memory is what the tree holds for certain.
    line(`tree, ${label}: anonymous memory, whole tree`, `${sum('anon')} KB`);
    line(
      `tree, ${label}: RSS / PSS, whole tree`,
      `${sum('rss')} / ${sum('pss')} KB ` +
        judge(
          sum('rss') <= TARGET.rssKb && sum('pss') <= TARGET.pssKb,
          `<= ${TARGET.rssKb} / ${TARGET.pssKb} KB`,
        ),
    );
    if (signed) return;
    const pidsBefore = lastPidIn(daemon);
    const cpuBefore = cpuNs(daemon);
    const start = performance.now();
    await sleep(IDLE_MS);
    const cpu = cpuNs(daemon) - cpuBefore;
    const elapsedMs = performance.now() - start;
    const started = lastPidIn(daemon) - pidsBefore - 1; // less the first reading's own sh
    const percent = (cpu / 1e6 / elapsedMs) * 100;
    line(
      `tree, ${label}: idle CPU over ${IDLE_MS / 1000} s`,
      `${percent.toFixed(4)} % of a core (${(cpu / 1e6).toFixed(1)} ms) ` +
        judge(percent <= TARGET.cpuPercent, `<= ${TARGET.cpuPercent} %`),
    );
    // The scheduled ones (a counter listing per status report, the hourly check) rarely fall in
    // the window; none may come from a check that has an event source (docs/budgets.md).
    line(
      `tree, ${label}: programs started while idle`,
      `${started} in ${IDLE_MS / 1000} s (${Math.round((started * 3_600_000) / elapsedMs)} per hour) ` +
        judge(started === 0, '0 in the window'),
    );
  } catch (error) {
    process.stderr.write(`daemon stderr:\n${stderr}`);
    throw error;
  } finally {
    // unshare does not pass signals on: the daemon (the namespace's init) is told itself, and
    // when it ends the kernel ends everything else in its namespace.
    await stop(wrapper, daemon ?? treeOf(wrapper.pid!)[1]);
    if (process.env.BENCH_TREE_LOG) process.stderr.write(`daemon stderr (${label}):\n${stderr}`);
  }
}
