// npm start's side of --real-router: builds the bundle and dist/qjs if they are missing, starts
// start/real-router/main.ts as a child, and waits for its `ready` (or `unavailable`) line.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Child, SpawnSpec } from './children.ts';

export interface RealRouter {
  /** What the banner says about it. */
  readonly describe: string;
}

export interface RealRouterSpec {
  readonly root: string;
  readonly mqttUrl: string;
  readonly verifyKey: string;
  readonly logFile: string;
  readonly launch: (spec: SpawnSpec) => Child;
}

/** The real router, or why there is none (no root, no namespaces, build failed). */
export async function startRealRouter(spec: RealRouterSpec): Promise<RealRouter | string> {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and nftables)';
  if (
    !existsSync(join(spec.root, 'dist', 'qjs')) ||
    !existsSync(join(spec.root, 'dist', 'op25b-agent.js'))
  ) {
    process.stderr.write('start: building the agent and dist/qjs for --real-router\n');
    const build = spawnSync('npm', ['run', 'build'], { cwd: spec.root, stdio: 'inherit' });
    if (build.status !== 0) return 'npm run build failed';
  }
  const child = spec.launch({
    name: 'real-router',
    argv: [
      process.execPath,
      '--import',
      'tsx',
      join(spec.root, 'start', 'real-router', 'main.ts'),
      '--broker',
      spec.mqttUrl,
      '--verify-key',
      spec.verifyKey,
    ],
    cwd: spec.root,
    logFile: spec.logFile,
    stdoutPipe: true,
  });
  const lines = createInterface({ input: child.process.stdout! });
  const first = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('unavailable: no answer within 90 s'), 90_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void child.exit.then((code) => resolve(`unavailable: it ended (exit ${code})`));
  });
  if (first.startsWith('ready ')) return { describe: first.slice('ready '.length) };
  await child.stop(5000);
  return first.replace(/^unavailable: /, '');
}
