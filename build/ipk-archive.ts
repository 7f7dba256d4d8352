// The archives an .ipk is made of, written the way OpenWrt's ipkg-build writes them.
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './ipk-run.ts';

/** Every path under `dir`, directories before their contents. */
export function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? [path, ...walk(path)] : [path];
  });
}

/** GNU tar of everything under `dir`, the way ipkg-build makes its archives, gzipped. */
export function tarGz(dir: string, entries: readonly string[], epoch: number, out: string): number {
  const tar = `${out}.tar`;
  run([
    'tar',
    '--format=gnu',
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    '--sort=name',
    `--mtime=@${epoch}`,
    '-C',
    dir,
    '-cf',
    tar,
    ...entries,
  ]);
  const size = statSync(tar).size;
  writeFileSync(out, run(['gzip', '-n', '-9', '-c', tar]));
  rmSync(tar);
  return size;
}
