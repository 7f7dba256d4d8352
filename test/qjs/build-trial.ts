// Bundles test/qjs/mqtt-trial.ts for QuickJS into dist/test/mqtt-trial.js (and globals-check.ts,
// link-trial.ts and verify-trial.ts likewise into dist/test/), with the same settings as the agent
// (esbuild.config.ts) plus build/esbuild-qjs-options.ts. Run directly it also prints the trial
// bundle's size, minified and gzipped; `--no-minify` gives readable bundles for debugging.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { qjsEsbuildOptions } from '../../build/esbuild-qjs-options.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const TRIAL_BUNDLE = `${root}dist/test/mqtt-trial.js`;
export const GLOBALS_CHECK_BUNDLE = `${root}dist/test/globals-check.js`;
export const LINK_TRIAL_BUNDLE = `${root}dist/test/link-trial.js`;
export const VERIFY_TRIAL_BUNDLE = `${root}dist/test/verify-trial.js`;

/** Builds both bundles; returns the size of the trial's. */
export async function buildTrial(minify = true): Promise<{ bytes: number; gzipBytes: number }> {
  await bundle('test/qjs/globals-check.ts', GLOBALS_CHECK_BUNDLE, minify);
  await bundle('test/qjs/mqtt-trial.ts', TRIAL_BUNDLE, minify);
  await bundle('test/qjs/link-trial.ts', LINK_TRIAL_BUNDLE, minify);
  await bundle('test/qjs/verify-trial.ts', VERIFY_TRIAL_BUNDLE, minify);
  const code = readFileSync(TRIAL_BUNDLE);
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

async function bundle(entry: string, outfile: string, minify: boolean): Promise<void> {
  await build({
    ...qjsEsbuildOptions,
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2020',
    external: ['os', 'std'],
    minify,
    legalComments: 'none',
    banner: { js: 'import "std";' },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bytes, gzipBytes } = await buildTrial(!process.argv.includes('--no-minify'));
  process.stdout.write(`${TRIAL_BUNDLE}: ${bytes} bytes minified, ${gzipBytes} bytes gzip -9\n`);
}
