// `npm run bench`: the budgets of docs/budgets.md, measured, one figure a line.
//
// Needs root: the agent runs for real in a network namespace made here (and deleted at the end).
// Apply times alternate between two policies so that every apply changes the kernel; the bare
// tool runs the very script the agent would load, so the difference is the agent's own cost.
// The daemon's figures (idle RSS, desired-state toggles, self-healing) come from
// build/bench-daemon.ts, in the same namespace, and the daemon's whole process tree from
// build/bench-tree.ts; Ed25519 verification from build/bench-verify.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { daemonBench } from './bench-daemon.ts';
import { treeBench } from './bench-tree.ts';
import { peakRssKb } from './peak-rss.ts';
import { portalApiBench } from './bench-portal-api.ts';
import { portalCoreBench } from './bench-portal.ts';
import { ingestEndToEndBench } from './bench-portal-ingest.ts';
import { webBench } from './bench-web.ts';
import { fleetScaleBench } from './bench-sim.ts';
import { qjsEsbuildOptions } from './esbuild-qjs-options.ts';

const root = new URL('..', import.meta.url).pathname;
const QJS = join(root, 'dist', 'qjs');
const BUNDLE = join(root, 'dist', 'op25b-agent.js');
const RUNS = 20;
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function timed(argv: string[], input?: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { input, stdio: ['pipe', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${String(result.stderr)}`);
  return ms;
}

let inputs = 0;

/**
 * CPU time (user + system, children included) per run, in ms: `bash` runs the commands in turn
 * and reports its children's times at the end (getrusage, so finer than the clock tick). Unlike
 * wall time it hardly moves when other work shares the CPU.
 */
function cpuMs(
  dir: string,
  runs: { argv: string[]; input?: string }[],
  count = runs.length,
): number {
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

function line(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(50)} ${value}\n`);
}

function policy(backend: string, relay: string, variant = ''): string {
  return [
    "config policy 'policy'",
    `\toption backend '${backend}'`,
    variant && `\toption iptables_variant '${variant}'`,
    "\toption action 'reject'",
    `\tlist allow '${relay}'`,
    "\tlist allow '2001:db8:ff::25'",
    "\tlist wan_device 'wan'",
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/**
 * Ms per Ed25519 JWS verification under qjs, with the agent's own verifier: the first one (which
 * builds the tables of the base point and of the key) and the mean of the next ones.
 */
async function verifyMs(dir: string): Promise<{ first: number; mean: number }> {
  const script = join(dir, 'bench-verify.js');
  await build({
    ...qjsEsbuildOptions,
    entryPoints: [join(root, 'build', 'bench-verify.ts')],
    outfile: script,
    bundle: true,
    format: 'esm',
    target: 'es2020',
    external: ['os', 'std'],
    minify: true,
    banner: { js: 'import "std";' },
    logLevel: 'warning',
  });
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ version: 8, enabled: true, allow: ['203.0.113.25'] })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject('bench-cpe')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  const key = [...Buffer.from((await exportJWK(publicKey)).x!, 'base64url')];
  const input = join(dir, 'bench-verify.json');
  writeFileSync(input, JSON.stringify({ token, key }));
  const out = execFileSync(QJS, [script, input, String(VERIFY_RUNS)], { encoding: 'utf8' });
  const [first, mean] = out.trim().split(/\s+/).map(Number) as [number, number];
  return { first, mean };
}

/** Runs inside the namespace: everything the agent touches is the namespace's own. */
async function inner(dir: string): Promise<void> {
  const actual = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  if (actual !== String(NOFILE)) throw new Error(`open files limit is ${actual}, not ${NOFILE}`);
  if (TREE_ONLY) return treeBench({ dir, qjs: QJS, bundle: BUNDLE, line });
  const configs = (backend: string, variant?: string) =>
    ['203.0.113.25', '203.0.113.26'].map((relay, i) => {
      const path = join(dir, `${backend}${variant ?? ''}-${i}`);
      writeFileSync(path, policy(backend, relay, variant));
      return path;
    });
  const agent = (...args: string[]) => [QJS, BUNDLE, ...args];

  const nft = configs('nftables');
  line('peak RSS, qjs apply (nftables)', `${peakRssKb(agent('apply', '--config', nft[0]!))} KB`);
  line('peak RSS, qjs status (nftables)', `${peakRssKb(agent('status', '--config', nft[0]!))} KB`);

  // Where an apply's time goes: qjs starting (an empty script), parsing and starting the bundle
  // (`version` less that), listing the kernel, reading the conntrack table, and the tool itself.
  const empty = join(dir, 'empty.js');
  writeFileSync(empty, '');
  const qjsStart = median(Array.from({ length: RUNS }, () => timed([QJS, empty])));
  const bundleStart = median(Array.from({ length: RUNS }, () => timed(agent('version'))));
  const conntrackRead = median(
    Array.from({ length: RUNS }, () => {
      const start = process.hrtime.bigint();
      readFileSync('/proc/net/nf_conntrack');
      return Number(process.hrtime.bigint() - start) / 1e6;
    }),
  );
  // The same in CPU time, which other work on the machine moves far less than wall time.
  const qjsStartCpu = cpuMs(
    dir,
    Array.from({ length: RUNS }, () => ({ argv: [QJS, empty] })),
  );
  const bundleStartCpu = cpuMs(
    dir,
    Array.from({ length: RUNS }, () => ({ argv: agent('version') })),
  );
  line('apply split: qjs start (empty script)', `${qjsStart.toFixed(1)} ms`);
  line(
    'apply split: bundle parse and start (version)',
    `${(bundleStart - qjsStart).toFixed(1)} ms`,
  );
  line(
    'apply split CPU: qjs start / bundle parse and start',
    `${qjsStartCpu.toFixed(1)} / ${(bundleStartCpu - qjsStartCpu).toFixed(1)} ms`,
  );
  line('apply split: conntrack read (/proc)', `${conntrackRead.toFixed(1)} ms`);

  const measure = (
    label: string,
    paths: string[],
    bare: (i: number) => number,
    listing: string[][],
    bareRun: (i: number) => { argv: string[]; input?: string }[],
  ): void => {
    const agentMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i++) agentMs.push(timed(agent('apply', '--config', paths[i % 2]!)));
    for (let i = 0; i < RUNS; i++) bareMs.push(bare(i));
    const listMs: number[] = [];
    for (let i = 0; i < RUNS; i++) listMs.push(listing.reduce((sum, argv) => sum + timed(argv), 0));
    const a = median(agentMs);
    const b = median(bareMs);
    const l = median(listMs);
    const agentCpu = cpuMs(
      dir,
      Array.from({ length: RUNS }, (_, i) => ({ argv: agent('apply', '--config', paths[i % 2]!) })),
    );
    const bareCpu = cpuMs(dir, Array.from({ length: RUNS }, (_, i) => bareRun(i)).flat(), RUNS);
    line(`apply median, ${label} (agent)`, `${a.toFixed(1)} ms`);
    line(`apply median, ${label} (bare tool)`, `${b.toFixed(1)} ms`);
    line(`apply overhead, ${label}`, `${(a - b).toFixed(1)} ms`);
    line(
      `apply CPU, ${label}: agent / bare tool / overhead`,
      `${agentCpu.toFixed(1)} / ${bareCpu.toFixed(1)} / ${(agentCpu - bareCpu).toFixed(1)} ms`,
    );
    const listCpu = cpuMs(
      dir,
      Array.from({ length: RUNS }, () => listing.map((argv) => ({ argv }))).flat(),
      RUNS,
    );
    line(`apply split, ${label}: kernel listing (${listing.length} run(s))`, `${l.toFixed(1)} ms`);
    line(`apply split, ${label}: the tool itself`, `${b.toFixed(1)} ms`);
    // On nftables the listing runs while qjs compiles the CLI (agent/main.ts): on two cores it
    // overlaps, and this wall-clock rest comes out smaller than the agent's own work.
    line(
      `apply split, ${label}: the agent's own work (the rest)`,
      `${(a - b - bundleStart - l - conntrackRead).toFixed(1)} ms`,
    );
    line(
      `apply split CPU, ${label}: listing / tool / agent's own work`,
      `${listCpu.toFixed(1)} / ${bareCpu.toFixed(1)} / ` +
        `${(agentCpu - bundleStartCpu - listCpu - bareCpu).toFixed(1)} ms`,
    );
    timed(agent('remove'));
  };

  const nftScripts = nft.map((p) =>
    execFileSync(QJS, [BUNDLE, 'print', '--config', p], { encoding: 'utf8' }),
  );
  measure(
    'nftables',
    nft,
    (i) => timed(['nft', '-f', '-'], nftScripts[i % 2]),
    [['nft', '-j', 'list', 'table', 'inet', 'op25b']],
    (i) => [{ argv: ['nft', '-f', '-'], input: nftScripts[i % 2]! }],
  );

  for (const variant of ['nft', 'legacy']) {
    const paths = configs('iptables', variant);
    // The restore input the agent writes when it switches between the two policies: its chains
    // re-declared (which flushes them) and refilled; the jumps are in place already.
    const scripts = paths.map((p) => {
      const text = execFileSync(QJS, [BUNDLE, 'print', '--config', p], { encoding: 'utf8' });
      const [v4, v6] = text
        .split(/^# ip6?tables\S*-restore --noflush\n/m)
        .slice(1)
        .map((script) => script.replace(/^-I .*\n/gm, ''));
      return { v4: v4!, v6: v6! };
    });
    const bare = (i: number): number => {
      if (i === 0) timed(agent('apply', '--config', paths[1]!)); // chains and jumps in place
      const s = scripts[i % 2]!;
      return (
        timed([`iptables-${variant}-restore`, '--noflush'], s.v4) +
        timed([`ip6tables-${variant}-restore`, '--noflush'], s.v6)
      );
    };
    line(
      `peak RSS, qjs apply (iptables-${variant})`,
      `${peakRssKb(agent('apply', '--config', paths[0]!))} KB`,
    );
    // The two families' listings run at the same time in the agent; here one after the other.
    measure(
      `iptables-${variant}`,
      paths,
      bare,
      [
        [`iptables-${variant}-save`, '-c'],
        [`ip6tables-${variant}-save`, '-c'],
      ],
      (i) => [
        { argv: [`iptables-${variant}-restore`, '--noflush'], input: scripts[i % 2]!.v4 },
        { argv: [`ip6tables-${variant}-restore`, '--noflush'], input: scripts[i % 2]!.v6 },
      ],
    );
  }

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
      const verify = await verifyMs(dir);
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
