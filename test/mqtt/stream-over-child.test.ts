// ChildProcessStream with a scripted runtime (exact calls, manual timers) and with the Node
// runtime and real programs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createChildProcessStream,
  type ChildProcessStream,
} from '../../agent/mqtt/stream-over-child.ts';
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

function record(stream: ChildProcessStream) {
  const events: string[] = [];
  let data = '';
  let error: (Error & { code?: string }) | undefined;
  stream.on('data', (chunk) => (data += new TextDecoder().decode(chunk)));
  stream.on('end', () => events.push('end'));
  stream.on('finish', () => events.push('finish'));
  stream.on('close', () => events.push('close'));
  stream.on('error', (e) => {
    error = e;
    events.push('error');
  });
  return { events, data: () => data, error: () => error };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

test('bytes both ways; the program exiting 0 ends and closes the stream', async () => {
  const s = scripted();
  const stream = createChildProcessStream(s.runtime, ['socat', '-', 'TCP:h:1']);
  const r = record(stream);
  assert.equal(s.calls, ['spawn socat - TCP:h:1']);
  assert.is(stream.pid, 4242);
  stream.write(Uint8Array.from([1, 2, 3]));
  s.stdout('hello');
  await tick();
  assert.equal(
    s.writes.map((w) => [...w]),
    [[1, 2, 3]],
  );
  assert.is(r.data(), 'hello');
  s.exit(0);
  await tick();
  assert.equal(r.events, ['end', 'finish', 'close']);
  assert.is(stream.exitCode, 0);
  assert.is(r.error(), undefined);
});

test('a corked packet goes out in one write (writev)', async () => {
  const s = scripted();
  const stream = createChildProcessStream(s.runtime, ['cat']);
  record(stream);
  stream.cork();
  stream.write(Uint8Array.from([0x10]));
  stream.write(Uint8Array.from([0x02, 0x00]));
  stream.write('MQ');
  process.nextTick(() => stream.uncork());
  await tick();
  assert.equal(
    s.writes.map((w) => [...w]),
    [[0x10, 0x02, 0x00, 0x4d, 0x51]],
  );
});

test('a failing program destroys the stream with a coded error, then close', async () => {
  const s = scripted();
  const stream = createChildProcessStream(s.runtime, ['socat', '-', 'TCP:h:1']);
  const r = record(stream);
  s.stderr('2026/01/01 00:00:00 socat[1] E connect(5, AF=2 127.0.0.1:1, 16): ');
  s.stderr('Connection refused\n');
  s.exit(1);
  await tick();
  assert.equal(r.events, ['error', 'close']);
  assert.is(r.error()?.code, 'ECONNREFUSED');
  assert.match(r.error()!.message, /^socat exited with code 1: connect\(.*Connection refused$/);
  assert.is(stream.destroyError, r.error());
  assert.match(stream.stderrText, /Connection refused/);
});

test('a program that is not installed: ENOENT', async () => {
  const s = scripted();
  const stream = createChildProcessStream(s.runtime, ['openssl', 's_client']);
  const r = record(stream);
  s.exit(127);
  await tick();
  assert.is(r.error()?.code, 'ENOENT');
  assert.match(r.error()!.message, /^openssl s_client is not installed/);
});

test('end(): stdin closed, the program may finish; killed only after the grace period', async () => {
  const s = scripted();
  const stream = createChildProcessStream(s.runtime, ['openssl', 's_client'], { endGraceMs: 2000 });
  const r = record(stream);
  stream.end(Uint8Array.from([0xe0, 0x00])); // DISCONNECT
  await tick();
  assert.equal([...s.writes[0]!], [0xe0, 0x00]);
  assert.equal(s.calls.slice(1), ['closeStdin']);
  s.fireTimer(2000); // s_client -ign_eof waits for the broker: the grace period ends it
  assert.equal(s.calls.slice(1), ['closeStdin', 'kill 15']);
  s.exit(143); // killed by us: no error
  await tick();
  assert.equal(r.events, ['finish', 'end', 'close']);
  assert.is(r.error(), undefined);
});

test('end(): when the program exits by itself, no kill', async () => {
  const s = scripted();
  const stream = createChildProcessStream(s.runtime, ['socat', '-', 'TCP:h:1']);
  const r = record(stream);
  stream.end();
  await tick();
  s.exit(0);
  await tick();
  assert.equal(s.calls.slice(1), ['closeStdin']);
  assert.is(s.timers.size, 0, 'no timer left behind');
  assert.equal(r.events, ['finish', 'end', 'close']);
});

test("destroy(): SIGTERM, SIGKILL if needed; 'close' waits for the exit", async () => {
  const s = scripted();
  const stream = createChildProcessStream(s.runtime, ['socat', '-', 'TCP:h:1'], {
    killGraceMs: 1000,
  });
  const r = record(stream);
  stream.destroy();
  await tick();
  assert.equal(s.calls.slice(1), ['kill 15']);
  assert.equal(r.events, [], 'no close before the program exited');
  s.fireTimer(1000);
  assert.equal(s.calls.slice(1), ['kill 15', 'kill 9']);
  s.exit(137);
  await tick();
  assert.equal(r.events, ['close']);
  assert.is(s.timers.size, 0);
});

test('destroy(): an exit that is never reported does not hold close forever', async () => {
  const s = scripted();
  const stream = createChildProcessStream(s.runtime, ['socat'], { killGraceMs: 1000 });
  const r = record(stream);
  stream.destroy();
  s.fireTimer(1000);
  s.fireTimer(1000);
  await tick();
  assert.equal(r.events, ['close']);
  assert.is(stream.exitCode, 137);
});

test('Node runtime, real programs: cat echoes and exits on end(); sh exit code', async () => {
  const runtime = createNodeRuntime([]);
  const cat = createChildProcessStream(runtime, ['cat']);
  const r = record(cat);
  cat.write('ping ');
  cat.end('pong');
  await new Promise((resolve) => cat.once('close', () => resolve(undefined)));
  assert.is(r.data(), 'ping pong');
  assert.is(cat.exitCode, 0);
  assert.equal(r.events, ['finish', 'end', 'close']);

  const sh = createChildProcessStream(runtime, [
    'sh',
    '-c',
    'echo "E oops: No route to host" >&2; exit 3',
  ]);
  const r2 = record(sh);
  await new Promise((resolve) => sh.once('close', () => resolve(undefined)));
  assert.is(r2.error()?.code, 'EHOSTUNREACH');
  assert.is(sh.exitCode, 3);

  const sleeper = createChildProcessStream(runtime, ['sleep', '30']);
  record(sleeper);
  const t0 = Date.now();
  sleeper.destroy();
  await new Promise((resolve) => sleeper.once('close', () => resolve(undefined)));
  assert.is(sleeper.exitCode, 128 + 15);
  assert.ok(Date.now() - t0 < 1000);
});

test.run();
