// What /proc says about a process tree, for the tree bench (bench-tree.ts): its pids, their
// memory (smaps_rollup) and CPU time (schedstat), and the pids a pid namespace has handed out.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const CLOCK_TICKS = 100; // USER_HZ, the unit of /proc/<pid>/stat's times

export function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** `pid` and all its descendants. */
export function treeOf(pid: number): number[] {
  const children = (read(`/proc/${pid}/task/${pid}/children`) ?? '').trim();
  return [pid, ...(children ? children.split(/\s+/).map(Number).flatMap(treeOf) : [])];
}

export function statFields(pid: number): string[] {
  const text = read(`/proc/${pid}/stat`) ?? '';
  return text.slice(text.lastIndexOf(')') + 2).split(' '); // [0] is field 3 (state)
}

/** Rss and Pss of a process in KB, from smaps_rollup; `anon` is its anonymous memory (heap,
 * stack, relocated library data), the rest of Rss is file pages (program and libraries). */
export function memoryKb(pid: number): { rss: number; pss: number; anon: number } {
  const text = read(`/proc/${pid}/smaps_rollup`) ?? '';
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
  return { rss: field('Rss'), pss: field('Pss'), anon: field('Anonymous') };
}

/** CPU time in ns: of the tree's live threads (schedstat, exact), plus the children the root
 * reaped (cutime + cstime, in clock ticks). */
export function cpuNs(root: number): number {
  let ns = 0;
  for (const pid of treeOf(root))
    for (const tid of taskIds(pid))
      ns += Number((read(`/proc/${pid}/task/${tid}/schedstat`) ?? '0').split(' ')[0]);
  const f = statFields(root);
  return ns + ((Number(f[13]) + Number(f[14])) * 1e9) / CLOCK_TICKS;
}

export function taskIds(pid: number): string[] {
  return namesIn(`/proc/${pid}/task`);
}

/** The names in a directory; none when it does not exist. */
export function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The next pid the namespace of `init` hands out, minus one: read by starting one `sh` in it. */
export function lastPidIn(init: number): number {
  return Number(
    execFileSync('nsenter', ['-t', String(init), '--pid', 'sh', '-c', 'echo $$'], {
      encoding: 'utf8',
    }).trim(),
  );
}
