// The real `nft monitor` grows by every set element it hears of (its cache keeps them; nftables
// never takes one out), and the daemon's rule watch restarts it once it has grown by
// MONITOR_GROWTH_LIMIT_KB; the new monitor still hears the agent's table. Real kernel and nft in
// a network namespace of the test's own, the Node runtime, a shortened growth check. No traffic.
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MONITOR_GROWTH_LIMIT_KB, residentKb } from '../../agent/daemon/monitor-growth.ts';
import { watchRules } from '../../agent/daemon/rule-watch.ts';
import type { Logger } from '../../agent/log/logger.ts';
import { createNodeRuntime } from '../../agent/runtime/node/runtime.ts';
import type { Runtime } from '../../agent/runtime/runtime.ts';

const NS = `op25b-growth-${process.pid}`;
const GROWTH_CHECK_MS = 300;
// 20,000 element additions: at about 0.3 KB each (nftables 1.0.6), well over the limit.
const ADDITIONS = 20_000;

const nft = (args: string[], input?: string) =>
  execFileSync('ip', ['netns', 'exec', NS, 'nft', ...args], { input, encoding: 'utf8' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Node runtime, with the programs it spawns started inside the test's namespace
 * (`ip netns exec` execs the program, so the pid is the program's own). */
function runtimeInNamespace(): Runtime {
  const base = createNodeRuntime([]);
  return {
    ...base,
    spawn: (argv, handlers) => base.spawn(['ip', 'netns', 'exec', NS, ...argv], handlers),
  };
}

/** Adds and deletes elements of a named set, in batches: the monitor hears each addition. */
function churn(): void {
  const batch = 2_000;
  for (let start = 0; start < ADDITIONS; start += batch) {
    const lines: string[] = [];
    for (let i = start; i < start + batch; i++) {
      const element = `2001:db8::${i.toString(16)}`; // the documentation prefix only
      lines.push(
        `add element inet churn s { ${element} }`,
        `delete element inet churn s { ${element} }`,
      );
    }
    nft(['-f', '-'], `${lines.join('\n')}\n`);
  }
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !done(); await sleep(50))
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
}

test.before(() => {
  execFileSync('ip', ['netns', 'add', NS]);
  nft(['-f', '-'], 'table inet churn {\n\tset s { type ipv6_addr; }\n}\n');
});

test.after(() => {
  execFileSync('ip', ['netns', 'del', NS]);
});

test('a monitor grown by set-element churn is restarted, and the new one hears the agent', async () => {
  const runtime = runtimeInNamespace();
  const infos: string[] = [];
  const warns: string[] = [];
  const log: Logger = {
    error: (m) => warns.push(m),
    warn: (m) => warns.push(m),
    info: (m) => infos.push(m),
    debug() {},
  };
  const reasons: string[] = [];
  const pids: number[] = [];
  const spawn = runtime.spawn;
  const watch = watchRules(
    {
      ...runtime,
      spawn: (argv, handlers) => {
        const child = spawn(argv, handlers);
        pids.push(child.pid);
        return child;
      },
    },
    'nftables',
    3_600_000,
    log,
    (reason) => reasons.push(reason),
    { growthCheckMs: GROWTH_CHECK_MS },
  );
  try {
    const first = pids[0]!;
    const rss = () => residentKb(runtime.readText(`/proc/${first}/status`));
    await until('the first monitor', () => (rss() ?? 0) > 0);
    await sleep(2 * GROWTH_CHECK_MS); // its baseline is taken
    const before = rss()!;
    churn();
    await until('a second monitor', () => pids.length === 2);
    assert.equal(warns, []);
    const note = infos.find((m) => /^nft monitor grew from \d+ to \d+ KB/.test(m));
    assert.ok(note, `no note of the growth in ${JSON.stringify(infos)}`);
    const [, from, to] = /grew from (\d+) to (\d+)/.exec(note)!.map(Number) as [
      number,
      number,
      number,
    ];
    assert.ok(to - from >= MONITOR_GROWTH_LIMIT_KB, note);
    assert.ok(
      Math.abs(from - before) < MONITOR_GROWTH_LIMIT_KB,
      `baseline ${from}, before ${before}`,
    );
    await until('the first monitor to be gone', () => rss() === null);
    // The restart is followed by a check (events may have been missed meanwhile)...
    await until('the check after the restart', () => reasons.includes('nft monitor restarted'));
    // ...and the new monitor hears a change to the agent's table.
    await sleep(500); // it has subscribed
    nft(['add', 'table', 'inet', 'op25b']);
    await until('an event from the new monitor', () => reasons.includes('nft monitor event'));
    const second = residentKb(runtime.readText(`/proc/${pids[1]!}/status`));
    assert.ok(
      second !== null && second < to,
      `the new monitor is ${second} KB, the old one was ${to}`,
    );
  } finally {
    watch.stop();
  }
  await until('the monitor to end', () =>
    pids.every((pid) => residentKb(runtime.readText(`/proc/${pid}/status`)) === null),
  );
});

test.run();
