// `npm run bench`: the budgets of docs/budgets.md, measured, one figure a line. This entry picks
// what runs (the flags below) and where: the bundle's sizes here, the rest in a network namespace.
//
// Needs root: the agent runs for real in a network namespace made here (and deleted at the end).
// The one-shot apply figures come from build/bench-apply.ts, the daemon's (idle RSS,
// desired-state toggles, self-healing) from build/bench-daemon.ts, both in the same namespace,
// and the daemon's whole process tree from build/bench-tree.ts; Ed25519 verification from
// build/bench-verify-qjs.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { applyBench } from './bench-apply.ts';
import { daemonBench } from './bench-daemon.ts';
import { treeBench } from './bench-tree.ts';
import { portalApiBench } from './bench-portal-api.ts';
import { portalCoreBench } from './bench-portal.ts';
import { ingestEndToEndBench } from './bench-portal-ingest.ts';
import { webBench } from './bench-web.ts';
import { fleetScaleBench } from './bench-sim.ts';
import { verifyMs } from './bench-verify-qjs.ts';

const root = new URL('..', import.meta.url).pathname;
const QJS = join(root, 'dist', 'qjs');
const BUNDLE = join(root, 'dist', 'op25b-agent.js');
const NOFILE = 1024;
const VERIFY_RUNS = 100;
// `npm run bench -- --apply`: the bundle, Ed25519 and one-shot apply figures only (a minute).
const APPLY_ONLY = process.argv.includes('--apply');
// `npm run bench -- --agent`: the router's figures only (bundle, apply, daemon, tree), no portal.
const AGENT_ONLY = process.argv.includes('--agent');
// `npm run bench -- --tree`: the daemon's process tree only (build/bench-tree.ts, ~3.5 min).
const TREE_ONLY = process.argv.includes('--tree');
// `npm run bench -- --ingest`: the portal's end-to-end ingest lines only (PGlite, PostgreSQL 15;
// about 3 minutes, build/bench-portal-ingest.ts).
const INGEST_ONLY = process.argv.includes('--ingest');

function line(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(50)} ${value}\n`);
}

/** Runs inside the namespace: everything the agent touches is the namespace's own. */
async function inner(dir: string): Promise<void> {
  const actual = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  if (actual !== String(NOFILE)) throw new Error(`open files limit is ${actual}, not ${NOFILE}`);
  if (TREE_ONLY) return treeBench({ dir, qjs: QJS, bundle: BUNDLE, line });
  applyBench({ dir, qjs: QJS, bundle: BUNDLE, line });
  if (APPLY_ONLY) return;
  await daemonBench({ dir, qjs: QJS, bundle: BUNDLE, line });
  await treeBench({ dir, qjs: QJS, bundle: BUNDLE, line });
}

async function outer(): Promise<void> {
  if (INGEST_ONLY) return ingestEndToEndBench(line);
  // The entry and the chunks it loads (esbuild.config.ts): each file, then all of them.
  const files = readFileSync(join(root, 'dist', 'op25b-agent.files'), 'utf8').split('\n');
  let total = 0;
  let totalGzip = 0;
  for (const file of files.filter(Boolean)) {
    const bytes = readFileSync(join(root, 'dist', file));
    const gzip = gzipSync(bytes, { level: 9 }).length;
    total += bytes.length;
    totalGzip += gzip;
    line(`bundle file ${file}`, `${bytes.length} bytes, gzip -9 ${gzip} bytes`);
  }
  line('bundle, minified (all files)', `${total} bytes`);
  line('bundle, gzip -9 (all files)', `${totalGzip} bytes`);
  const dir = mkdtempSync(join(tmpdir(), 'op25b-bench-'));
  try {
    if (!TREE_ONLY) {
      const verify = await verifyMs(dir, QJS, VERIFY_RUNS);
      line(`Ed25519 JWS verify under qjs, mean of ${VERIFY_RUNS}`, `${verify.mean.toFixed(2)} ms`);
      line('Ed25519 JWS verify under qjs, first (tables)', `${verify.first.toFixed(2)} ms`);
    }
    await inNamespace(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (APPLY_ONLY || AGENT_ONLY || TREE_ONLY) return;
  await portalApiBench(line);
  await portalCoreBench(line);
  await ingestEndToEndBench(line);
  await webBench(line);
  // 10,000 simulated routers through mosquitto and the portal, on PostgreSQL and on PGlite.
  await fleetScaleBench(line, Number(process.env.SIM_ROUTERS ?? 10_000));
}

async function inNamespace(dir: string): Promise<void> {
  // QuickJS's os.exec closes every descriptor up to the open-files limit in each child, so the
  // limit changes the cost of every program the agent runs. Routers run services with the
  // kernel's default of 1024 (procd does not raise it); measure under that, agent and tool alike.
  line('open files limit (agent and tools)', String(NOFILE));
  const ns = `op25b-bench-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        'prlimit',
        `--nofile=${NOFILE}:${NOFILE}`,
        '--',
        process.execPath,
        '--import',
        'tsx',
        import.meta.filename ?? new URL(import.meta.url).pathname,
        '--inner',
        dir,
        ...(APPLY_ONLY ? ['--apply'] : []),
        ...(TREE_ONLY ? ['--tree'] : []),
      ],
      { stdio: 'inherit', cwd: root },
    );
  } finally {
    // Anything the inner run left behind (it stops what it starts, unless it was killed).
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout;
    for (const pid of pids.split('\n').filter(Boolean)) spawnSync('kill', ['-9', pid]);
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

if (process.argv[2] === '--inner') await inner(process.argv[3]!);
else await outer();
