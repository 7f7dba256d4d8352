// ChildTransport with a scripted runtime (exact calls, manual timers) and with the Node runtime
// and real programs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChildTransport, type ChildTransportOptions } from '../../agent/mqtt/child-transport.ts';
import { createNodeRuntime } from '../../agent/runtime/node/runtime.ts';
import type { ChildHandlers, Timer } from '../../agent/runtime/runtime.ts';

/** A runtime whose one child and timers the test drives by hand. */
function scripted() {
  const calls: string[] = [];
  const writes: Uint8Array[] = [];
  let handlers: ChildHandlers = {};
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const runtime = {
    spawn: (argv: readonly string[], h: ChildHandlers) => {
      calls.push(`spawn ${argv.join(' ')}`);
      handlers = h;
      return {
        pid: 4242,
        write: (data: Uint8Array | string) => {
          writes.push(typeof data === 'string' ? new TextEncoder().encode(data) : data);
        },
        closeStdin: () => calls.push('closeStdin'),
        kill: (signal = 15) => calls.push(`kill ${signal}`),
      };
    },
    setTimeout: (fn: () => void, ms: number): Timer => {
      timers.set(next, { fn, ms });
      return next++ as unknown as Timer;
    },
    clearTimeout: (timer: Timer) => void timers.delete(timer as unknown as number),
  };
  const fireTimer = (ms: number): void => {
    const entry = [...timers.entries()].find(([, t]) => t.ms === ms);
    assert.ok(entry, `a ${ms} ms timer is pending (${JSON.stringify([...timers.values()])})`);
    timers.delete(entry![0]);
    entry![1].fn();
  };
  return {
    runtime,
    calls,
    writes,
    timers,
    fireTimer,
    stdout: (text: string) => handlers.onStdout?.(new TextEncoder().encode(text)),
    stderr: (text: string) => handlers.onStderr?.(new TextEncoder().encode(text)),
    exit: (code: number) => handlers.onExit?.(code),
  };
}

/** A transport whose data and close are recorded. */
function open(
  runtime: ConstructorParameters<typeof ChildTransport>[0],
  argv: string[],
  options?: ChildTransportOptions,
) {
  const events: string[] = [];
  let data = '';
  let error: (Error & { code?: string }) | null | undefined;
  let closed: () => void = () => {};
  const done = new Promise<void>((resolve) => (closed = resolve));
  const transport = new ChildTransport(
    runtime,
    argv,
    {
      onData: (chunk) => (data += new TextDecoder().decode(chunk)),
      onClose: (e) => {
        error = e;
        events.push(e ? 'close error' : 'close');
        closed();
      },
    },
    options,
  );
  return { transport, events, data: () => data, error: () => error, done };
}

test('bytes both ways; the program exiting 0 closes it without an error', () => {
  const s = scripted();
  const t = open(s.runtime, ['socat', '-', 'TCP:h:1']);
  assert.equal(s.calls, ['spawn socat - TCP:h:1']);
  assert.is(t.transport.pid, 4242);
  t.transport.write(Uint8Array.from([1, 2, 3]));
  s.stdout('hello');
  assert.equal(
    s.writes.map((w) => [...w]),
    [[1, 2, 3]],
  );
  assert.is(t.data(), 'hello');
  assert.ok(t.transport.writable);
  s.exit(0);
  assert.equal(t.events, ['close']);
  assert.is(t.transport.exitCode, 0);
  assert.is(t.error(), null);
  assert.not.ok(t.transport.writable);
  t.transport.write(Uint8Array.from([4])); // after the exit: dropped
  assert.is(s.writes.length, 1);
});

test('a failing program closes it with a coded error', () => {
  const s = scripted();
  const t = open(s.runtime, ['socat', '-', 'TCP:h:1']);
  s.stderr('2026/01/01 00:00:00 socat[1] E connect(5, AF=2 127.0.0.1:1, 16): ');
  s.stderr('Connection refused\n');
  s.exit(1);
  assert.equal(t.events, ['close error']);
  assert.is(t.error()?.code, 'ECONNREFUSED');
  assert.match(t.error()!.message, /^socat exited with code 1: connect\(.*Connection refused$/);
  assert.match(t.transport.stderrText, /Connection refused/);
  s.exit(1); // a second exit report changes nothing
  assert.equal(t.events, ['close error']);
});

test('a program that is not installed: ENOENT', () => {
  const s = scripted();
  const t = open(s.runtime, ['openssl', 's_client']);
  s.exit(127);
  assert.is(t.error()?.code, 'ENOENT');
  assert.match(t.error()!.message, /^openssl s_client is not installed/);
});

test('end(): stdin closed, the program may finish; killed only after the grace period', () => {
  const s = scripted();
  const t = open(s.runtime, ['openssl', 's_client'], { endGraceMs: 2000 });
  t.transport.write(Uint8Array.from([0xe0, 0x00])); // DISCONNECT
  t.transport.end();
  assert.equal([...s.writes[0]!], [0xe0, 0x00]);
  assert.equal(s.calls.slice(1), ['closeStdin']);
  t.transport.write(Uint8Array.from([1])); // after end(): dropped
  assert.is(s.writes.length, 1);
  s.stdout('late'); // the broker may still send until the program exits
  assert.is(t.data(), 'late');
  s.fireTimer(2000); // s_client -ign_eof waits for the broker: the grace period ends it
  assert.equal(s.calls.slice(1), ['closeStdin', 'kill 15']);
  s.exit(143); // killed by us: no error
  assert.equal(t.events, ['close']);
  assert.is(t.error(), null);
});

test('end(): when the program exits by itself, no kill', () => {
  const s = scripted();
  const t = open(s.runtime, ['socat', '-', 'TCP:h:1']);
  t.transport.end();
  s.exit(0);
  assert.equal(s.calls.slice(1), ['closeStdin']);
  assert.is(s.timers.size, 0, 'no timer left behind');
  assert.equal(t.events, ['close']);
});

test('destroy(): SIGTERM, SIGKILL if needed; onClose waits for the exit, with its error', () => {
  const s = scripted();
  const t = open(s.runtime, ['socat', '-', 'TCP:h:1'], { killGraceMs: 1000 });
  const why = Object.assign(new Error('Keepalive timeout'), { code: 'X' });
  t.transport.destroy(why);
  assert.equal(s.calls.slice(1), ['kill 15']);
  assert.equal(t.events, [], 'no close before the program exited');
  s.stdout('ignored'); // nothing is read once destroyed
  assert.is(t.data(), '');
  s.fireTimer(1000);
  assert.equal(s.calls.slice(1), ['kill 15', 'kill 9']);
  t.transport.destroy(new Error('second')); // no second kill, the first error stays
  s.exit(137);
  assert.equal(t.events, ['close error']);
  assert.is(t.error(), why);
  assert.is(s.timers.size, 0);
});

test('destroy(): an exit that is never reported does not hold onClose forever', () => {
  const s = scripted();
  const t = open(s.runtime, ['socat'], { killGraceMs: 1000 });
  t.transport.destroy();
  s.fireTimer(1000);
  s.fireTimer(1000);
  assert.equal(t.events, ['close']);
  assert.is(t.transport.exitCode, 137);
});

test('Node runtime, real programs: cat echoes and exits on end(); sh exit code', async () => {
  const runtime = createNodeRuntime([]);
  const cat = open(runtime, ['cat']);
  cat.transport.write(new TextEncoder().encode('ping '));
  cat.transport.write(new TextEncoder().encode('pong'));
  cat.transport.end();
  await cat.done;
  assert.is(cat.data(), 'ping pong');
  assert.is(cat.transport.exitCode, 0);
  assert.equal(cat.events, ['close']);

  const sh = open(runtime, ['sh', '-c', 'echo "E oops: No route to host" >&2; exit 3']);
  await sh.done;
  assert.is(sh.error()?.code, 'EHOSTUNREACH');
  assert.is(sh.transport.exitCode, 3);

  const sleeper = open(runtime, ['sleep', '30']);
  const t0 = Date.now();
  sleeper.transport.destroy();
  await sleeper.done;
  assert.is(sleeper.transport.exitCode, 128 + 15);
  assert.ok(Date.now() - t0 < 1000);
});

test.run();
