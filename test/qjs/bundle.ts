// Bundles a test entry point for dist/qjs, the way esbuild.config.ts bundles the agent.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

export const QJS = join(root, 'dist', 'qjs');
export const AGENT_BUNDLE = join(root, 'dist', 'op25b-agent.js');

/** Bundles `entry` (relative to the repo root) and returns the output path. */
export async function bundleForQjs(entry: string): Promise<string> {
  const outDir = join(root, 'dist', 'test');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, basename(entry).replace(/\.ts$/, '.js'));
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'neutral',
    external: ['os', 'std'],
    banner: { js: 'import "std";' },
    logLevel: 'warning',
  });
  return outfile;
}
