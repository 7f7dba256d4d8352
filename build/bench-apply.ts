// The one-shot apply figures of `npm run bench`, run inside the bench's network namespace: peak
// RSS, where an apply's time goes, and each backend's apply against its bare tool. Apply times
// alternate between two policies so that every apply changes the kernel; the bare tool runs the
// very script the agent would load, so the difference is the agent's own cost.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuMs, median, timed, type Run } from './bench-timing.ts';
import { peakRssKb } from './peak-rss.ts';

const RUNS = 20;

export interface ApplyBenchOptions {
  readonly dir: string;
  readonly qjs: string;
  readonly bundle: string;
  readonly line: (name: string, value: string) => void;
}

/** What every backend's split subtracts: the bundle's start and the conntrack read. */
interface StartCost {
  readonly bundleStart: number;
  readonly bundleStartCpu: number;
  readonly conntrackRead: number;
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

export function applyBench({ dir, qjs, bundle, line }: ApplyBenchOptions): void {
  const configs = (backend: string, variant?: string) =>
    ['203.0.113.25', '203.0.113.26'].map((relay, i) => {
      const path = join(dir, `${backend}${variant ?? ''}-${i}`);
      writeFileSync(path, policy(backend, relay, variant));
      return path;
    });
  const agent = (...args: string[]) => [qjs, bundle, ...args];

  const nft = configs('nftables');
  line('peak RSS, qjs apply (nftables)', `${peakRssKb(agent('apply', '--config', nft[0]!))} KB`);
  line('peak RSS, qjs status (nftables)', `${peakRssKb(agent('status', '--config', nft[0]!))} KB`);

  const start = startCost(dir, qjs, agent, line);
  const measure = (
    label: string,
    paths: string[],
    bare: (i: number) => number,
    listing: string[][],
    bareRun: (i: number) => Run[],
  ) => measureBackend({ dir, line, agent, start }, label, paths, bare, listing, bareRun);

  const nftScripts = nft.map((p) =>
    execFileSync(qjs, [bundle, 'print', '--config', p], { encoding: 'utf8' }),
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
      const text = execFileSync(qjs, [bundle, 'print', '--config', p], { encoding: 'utf8' });
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
}

/**
 * Where an apply's time goes before any backend: qjs starting (an empty script), parsing and
 * starting the bundle (`version` less that), and reading the conntrack table.
 */
function startCost(
  dir: string,
  qjs: string,
  agent: (...args: string[]) => string[],
  line: ApplyBenchOptions['line'],
): StartCost {
  const empty = join(dir, 'empty.js');
  writeFileSync(empty, '');
  const qjsStart = median(Array.from({ length: RUNS }, () => timed([qjs, empty])));
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
    Array.from({ length: RUNS }, () => ({ argv: [qjs, empty] })),
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
  return { bundleStart, bundleStartCpu, conntrackRead };
}

/** One backend: the agent's apply against the bare tool, wall and CPU, and where it goes. */
function measureBackend(
  ctx: {
    dir: string;
    line: ApplyBenchOptions['line'];
    agent: (...args: string[]) => string[];
    start: StartCost;
  },
  label: string,
  paths: string[],
  bare: (i: number) => number,
  listing: string[][],
  bareRun: (i: number) => Run[],
): void {
  const { dir, line, agent } = ctx;
  const { bundleStart, bundleStartCpu, conntrackRead } = ctx.start;
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
}
