// Keeps dist/op25b-agent.js current before packaging, so a stale bundle is never shipped.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { walk } from './ipk-archive.ts';
import { BUNDLE, REPO_ROOT } from './ipk-paths.ts';
import { run } from './ipk-run.ts';

// What the bundle is built from; a bundle older than any of these is rebuilt first.
const BUNDLE_INPUTS = [
  'agent',
  'build/esbuild-qjs-options.ts',
  'esbuild.config.ts',
  'package.json',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...walk(path).map((p) => statSync(p).mtimeMs));
}

/** Rebuilds dist/op25b-agent.js (esbuild only, not the host qjs) when it is missing or stale. */
export function ensureBundle(): void {
  const built = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  const inputs = Math.max(...BUNDLE_INPUTS.map((p) => newestMtime(join(REPO_ROOT, p))));
  if (built >= inputs) return;
  process.stderr.write('package: building dist/op25b-agent.js first\n');
  run([process.execPath, '--import', 'tsx', 'esbuild.config.ts'], { cwd: REPO_ROOT });
}
