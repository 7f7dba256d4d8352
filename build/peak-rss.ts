// Peak RSS of a program run to its end, from GNU time's %M (KB).
import { spawnSync } from 'node:child_process';

export function peakRssKb(argv: string[]): number {
  const result = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return Number(result.stderr.trim().split('\n').pop());
}
