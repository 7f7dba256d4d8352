// `npm run bench`: the budgets of docs/budgets.md, measured, one figure a line.
//
// Needs root: the agent runs for real in a network namespace made here (and deleted at the end).
// Apply times alternate between two policies so that every apply changes the kernel; the bare
// tool runs the very script the agent would load, so the difference is the agent's own cost.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const QJS = join(root, 'dist', 'qjs');
const BUNDLE = join(root, 'dist', 'op25b-agent.js');
const RUNS = 20;
const NOFILE = 1024;

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

function peakRssKb(argv: string[]): number {
  const result = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return Number(result.stderr.trim().split('\n').pop());
}

function line(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(44)} ${value}\n`);
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

/** Runs inside the namespace: everything the agent touches is the namespace's own. */
function inner(dir: string): void {
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

  const measure = (label: string, paths: string[], bare: (i: number) => number): void => {
    const agentMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i++) agentMs.push(timed(agent('apply', '--config', paths[i % 2]!)));
    for (let i = 0; i < RUNS; i++) bareMs.push(bare(i));
    const a = median(agentMs);
    const b = median(bareMs);
    line(`apply median, ${label} (agent)`, `${a.toFixed(1)} ms`);
    line(`apply median, ${label} (bare tool)`, `${b.toFixed(1)} ms`);
    line(`apply overhead, ${label}`, `${(a - b).toFixed(1)} ms`);
    timed(agent('remove'));
  };

  const nftScripts = nft.map((p) =>
    execFileSync(QJS, [BUNDLE, 'print', '--config', p], { encoding: 'utf8' }),
  );
  measure('nftables', nft, (i) => timed(['nft', '-f', '-'], nftScripts[i % 2]));

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
    measure(`iptables-${variant}`, paths, bare);
  }
}

function outer(): void {
  const bundle = readFileSync(BUNDLE);
  line('bundle, minified', `${bundle.length} bytes`);
  line('bundle, gzip -9', `${gzipSync(bundle, { level: 9 }).length} bytes`);
  // QuickJS's os.exec closes every descriptor up to the open-files limit in each child, so the
  // limit changes the cost of every program the agent runs. Routers run services with the
  // kernel's default of 1024 (procd does not raise it); measure under that, agent and tool alike.
  line('open files limit (agent and tools)', String(NOFILE));
  const ns = `op25b-bench-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'op25b-bench-'));
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        import.meta.filename ?? new URL(import.meta.url).pathname,
        '--inner',
        dir,
      ],
      { stdio: 'inherit', cwd: root },
    );
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--inner') inner(process.argv[3]!);
else outer();
