// The test bed itself: its address plan, its listeners and probes, and that its cleanup leaves
// nothing behind, whether the tests end well, fail, or the process is interrupted.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CHILD_ENV,
  createTestbed,
  exec,
  NODE_NAMES,
  PLAN,
  planAddresses,
  ROUTER_DEVICES,
  type NodeName,
} from '../testbed/index.ts';
import { allowedRows, bedHolder, blockedRows, expectTraffic } from './support.ts';

const test = suite('integration: test bed');
const holder = bedHolder();
const CHILD = fileURLToPath(new URL('./fixtures/testbed-child.ts', import.meta.url));
const ALLOWED_RANGES = [
  /^198\.51\.100\./,
  /^203\.0\.113\./,
  /^2001:db8:/,
  /^fe80:/,
  /^127\./,
  /^::1$/,
];

test.before(async () => {
  try {
    holder.set(await createTestbed());
  } catch (error) {
    holder.fail(error);
  }
});

test.after(async () => {
  const bed = holder.take();
  if (bed) await bed.destroy();
});

function namespaceExists(name: string): boolean {
  return execFileSync('ip', ['netns', 'list'], {
    encoding: 'utf8',
    env: CHILD_ENV,
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .split('\n')
    .some((line) => line.split(' ')[0] === name);
}

/** True while the process exists and is not a zombie waiting for init to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pids still alive after waiting up to `ms` for them to go. */
async function survivors(pids: readonly number[], ms = 1000): Promise<number[]> {
  const deadline = performance.now() + ms;
  while (pids.some(alive) && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  return pids.filter(alive);
}

interface IpAddrJson {
  ifname: string;
  addr_info: { local: string; scope: string; tentative?: boolean }[];
}

test('builds in well under a second with the planned addresses only', async () => {
  const bed = holder.get();
  assert.ok(bed.setupMs < 1000, `setup took ${bed.setupMs.toFixed(0)} ms`);
  const planned = new Set(planAddresses());
  for (const node of NODE_NAMES) {
    const links = JSON.parse(await bed.execOk(node, ['ip', '-j', 'addr', 'show'])) as IpAddrJson[];
    for (const link of links)
      for (const info of link.addr_info) {
        assert.ok(
          ALLOWED_RANGES.some((r) => r.test(info.local)),
          `${node} ${link.ifname}: ${info.local} is outside the allowed ranges`,
        );
        assert.not.ok(
          info.local.startsWith('192.0.2.'),
          `${node}: 192.0.2.0/24 must never be used`,
        );
        assert.not.ok(info.tentative, `${node} ${link.ifname}: ${info.local} is tentative`);
        if (info.scope === 'global')
          assert.ok(planned.has(info.local), `${node}: ${info.local} is not in the plan`);
      }
    if (node === 'router') {
      const names = links.map((l) => l.ifname).sort();
      assert.equal(names, ['lo', ...Object.values(ROUTER_DEVICES)].sort());
    }
  }
  const forwarding = await bed.execOk('router', [
    'sysctl',
    '-n',
    'net.ipv4.ip_forward',
    'net.ipv6.conf.all.forwarding',
  ]);
  assert.equal(forwarding.split('\n').filter(Boolean), ['1', '1']);
  for (const node of NODE_NAMES) {
    const dad = await bed.execOk(node, ['sysctl', '-n', 'net.ipv6.conf.default.accept_dad']);
    assert.is(dad.trim(), '0', `${node}: accept_dad`);
  }
});

test('adds no route to the test ranges in the root namespace', async () => {
  for (const family of ['-4', '-6']) {
    const routes = await exec(null, ['ip', family, 'route', 'show', 'table', 'all']);
    const stray = routes.stdout
      .split('\n')
      .filter((l) => /198\.51\.100\.|203\.0\.113\.|2001:db8:/.test(l));
    assert.equal(stray, [], 'root namespace routes into the test ranges');
  }
});

test('listeners answer on 25/587/465 in wan (v4 and v6) and on 25 in lan2', async () => {
  const bed = holder.get();
  await expectTraffic(bed, [...blockedRows('connected'), ...allowedRows()]);
  const rows = (['link', 'relay', 'foreign'] as const).flatMap((who) =>
    (['ipv4', 'ipv6'] as const).flatMap((family) =>
      [25, 587, 465].map((port) => ({
        label: `router -> ${who}:${port} (${family})`,
        from: 'router' as NodeName,
        host: PLAN.wan[who][family],
        port,
        expect: 'connected' as const,
      })),
    ),
  );
  await expectTraffic(bed, rows);
  // lan2 listens on 25 only.
  await expectTraffic(bed, [
    {
      label: 'lan1 -> lan2:587',
      from: 'lan1',
      host: PLAN.lan2.host.ipv4,
      port: 587,
      expect: 'refused',
    },
  ]);
});

test('probes classify connected, refused and timeout, within their timeout', async () => {
  const bed = holder.get();
  // A private rule in the wan namespace makes port 2626 silent; 2525 has no listener.
  await bed.execOk('wan', ['nft', '-f', '-'], {
    stdin:
      'table inet probe_test {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 2626 drop\n\t}\n}\n',
  });
  try {
    const started = performance.now();
    const outcomes = await bed.probeAll(
      [
        { from: 'lan1', host: PLAN.wan.foreign.ipv4, port: 25 },
        { from: 'lan1', host: PLAN.wan.foreign.ipv6, port: 2525 },
        { from: 'lan1', host: PLAN.wan.foreign.ipv4, port: 2626 },
        { from: 'router', host: PLAN.wan.foreign.ipv6, port: 2626 },
      ],
      400,
    );
    const elapsed = performance.now() - started;
    assert.equal(
      outcomes.map((o) => o.result),
      ['connected', 'refused', 'timeout', 'timeout'],
    );
    assert.is(outcomes[0]!.banner, '220 ready');
    assert.ok(outcomes[1]!.ms < 300, `refused took ${outcomes[1]!.ms} ms`);
    for (const o of outcomes.slice(2))
      assert.ok(o.ms >= 390 && o.ms < 700, `timeout after ${o.ms} ms`);
    // In parallel: the batch costs one timeout, not two.
    assert.ok(elapsed < 1500, `probe batch took ${elapsed.toFixed(0)} ms`);
  } finally {
    await bed.execOk('wan', ['nft', 'delete', 'table', 'inet', 'probe_test']);
  }
});

test('a held connection exchanges data, and reports drops and resets', async () => {
  const bed = holder.get();
  const [a, b] = await Promise.all([
    bed.hold('lan1', PLAN.wan.foreign.ipv4, 25),
    bed.hold('lan1', PLAN.wan.foreign.ipv6, 25),
  ]);
  try {
    assert.equal(await Promise.all([a.ping(1000), b.ping(1000)]), ['pong', 'pong']);
    await bed.execOk('router', ['nft', '-f', '-'], {
      stdin:
        'table inet hold_test {\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy accept;\n' +
        '\t\tip daddr 203.0.113.99 tcp dport 25 drop\n' +
        '\t\tip6 daddr 2001:db8:ff::99 tcp dport 25 reject with tcp reset\n\t}\n}\n',
    });
    assert.equal(await Promise.all([a.ping(500), b.ping(500)]), ['no-reply', 'closed']);
    assert.is(b.closedReason, 'ECONNRESET');
  } finally {
    a.close();
    b.close();
    await bed.exec('router', ['nft', 'delete', 'table', 'inet', 'hold_test']);
  }
});

test('destroy kills every process in the namespaces and deletes them', async () => {
  const bed = await createTestbed();
  // A process the test bed did not start itself, found only through `ip netns pids`.
  const stray = spawn('ip', ['netns', 'exec', bed.ns.lan1, 'sleep', '30'], {
    stdio: 'ignore',
    detached: true,
  });
  stray.unref();
  await new Promise((r) => setTimeout(r, 100));
  const pids = [...bed.listeners.map((l) => l.pid), stray.pid!];
  await bed.destroy();
  for (const name of Object.values(bed.ns))
    assert.not.ok(namespaceExists(name), `${name} still exists`);
  assert.equal(await survivors(pids), [], 'processes survived destroy');
  await bed.destroy(); // twice is harmless
});

function runChild(
  mode: string,
  signal?: NodeJS.Signals,
): Promise<{ code: number | null; beds: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], {
      env: CHILD_ENV,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let namespaces: string[] = [];
    let pids: number[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`test-bed child (${mode}) did not finish`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && namespaces.length === 0) {
        const info = JSON.parse(line!) as { namespaces: string[]; pids: number[] };
        namespaces = info.namespaces;
        pids = info.pids;
        for (const name of namespaces) assert.ok(namespaceExists(name), `${name} was not created`);
        if (signal) child.kill(signal);
        else child.stdin.write('go\n');
      }
    });
    child.on('exit', async (code) => {
      clearTimeout(timer);
      if (namespaces.length === 0) return reject(new Error(`child (${mode}) never built its bed`));
      const leftover = namespaces.filter(namespaceExists);
      const living = await survivors(pids);
      resolve({ code, beds: [...leftover, ...living.map((p) => `pid ${p}`)] });
    });
  });
}

test('cleanup runs when the process is interrupted, crashes or exits early', async () => {
  const results = await Promise.all([
    runChild('wait', 'SIGINT'),
    runChild('wait', 'SIGTERM'),
    runChild('crash'),
    runChild('exit'),
  ]);
  assert.equal(
    results.map((r) => r.code),
    [130, 143, 1, 3],
  );
  for (const r of results) assert.equal(r.beds, [], `left behind: ${r.beds.join(', ')}`);
});

test.run();
