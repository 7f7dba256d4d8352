// Runs one build tool for the packager; any failure throws with the tool's stderr, so a broken
// step never yields a package.
import { spawnSync } from 'node:child_process';

export function run(argv: readonly string[], options: { cwd?: string } = {}): Buffer {
  const result = spawnSync(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) throw new Error(`${argv[0]}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(
      `${argv.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.toString().trim()}`,
    );
  return result.stdout;
}
