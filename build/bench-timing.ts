// Wall and CPU time of short program runs, for the apply figures of build/bench-apply.ts: the
// median of wall times, and CPU time from bash's `times` (CPU time hardly moves under load).
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One program run: its argv and, if any, what it reads on stdin. */
export interface Run {
  readonly argv: string[];
  readonly input?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of one run to its end, in ms; a failed run throws. */
export function timed(argv: string[], input?: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { input, stdio: ['pipe', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${String(result.stderr)}`);
  return ms;
}

// Numbers the input files, so that every run keeps its own.
let inputs = 0;

/**
 * CPU time (user + system, children included) per run, in ms: `bash` runs the commands in turn
 * and reports its children's times at the end (getrusage, so finer than the clock tick). Unlike
 * wall time it hardly moves when other work shares the CPU.
 */
export function cpuMs(dir: string, runs: Run[], count = runs.length): number {
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const lines = runs.map(({ argv, input }) => {
    let redirect = '< /dev/null';
    if (input !== undefined) {
      const file = join(dir, `input-${++inputs}`);
      writeFileSync(file, input);
      redirect = `< ${quote(file)}`;
    }
    return `${argv.map(quote).join(' ')} ${redirect} > /dev/null || exit 1`;
  });
  const out = execFileSync('bash', ['-c', `${lines.join('\n')}\ntimes`], { encoding: 'utf8' });
  const children = out.trim().split('\n').pop()!.split(/\s+/);
  const seconds = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (!m) throw new Error(`unexpected times output: ${out}`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  return ((seconds(children[0]!) + seconds(children[1]!)) * 1000) / count;
}
