// Runs a stand-in (or any program) to completion with the stand-ins first on PATH.
import { spawn } from 'node:child_process';

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  stdin = '',
  timeoutMs = 10_000,
): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal === 'SIGKILL' ? 137 : 143),
        stdout,
        stderr,
        ms: performance.now() - started,
      });
    });
    child.stdin.end(stdin);
  });
}
