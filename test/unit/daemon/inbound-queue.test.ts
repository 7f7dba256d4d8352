import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InboundQueue, type InboundMessage } from '../../../agent/daemon/inbound-queue.ts';

const message = (kind: 'desired' | 'cmd', text: string): InboundMessage => ({
  kind,
  payload: new TextEncoder().encode(text),
  size: text.length,
});
const text = (m: InboundMessage): string => new TextDecoder().decode(m.payload);

/** A queue whose handler waits until released, recording what it handled and dropped. */
function harness(maxCommands = 3) {
  const handled: string[] = [];
  const dropped: string[] = [];
  const failures: unknown[] = [];
  let release: (() => void) | null = null;
  const queue = new InboundQueue(
    (m) =>
      new Promise<void>((resolve) => {
        handled.push(text(m));
        release = resolve;
      }),
    (m, why) => dropped.push(`${text(m)}:${why}`),
    (error) => failures.push(error),
    maxCommands,
  );
  const step = async (): Promise<void> => {
    const r = release;
    release = null;
    r?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { queue, handled, dropped, failures, step };
}

test('one message at a time, in arrival order', async () => {
  const h = harness();
  h.queue.push(message('cmd', 'c1'));
  h.queue.push(message('cmd', 'c2'));
  assert.equal(h.handled, ['c1']);
  await h.step();
  assert.equal(h.handled, ['c1', 'c2']);
  await h.step();
  assert.is(h.queue.length, 0);
});

test('only the newest waiting desired state is kept; the others are answered superseded', async () => {
  const h = harness();
  h.queue.push(message('desired', 'd1')); // being handled
  for (let i = 2; i <= 500; i++) h.queue.push(message('desired', `d${i}`));
  h.queue.push(message('cmd', 'c1'));
  assert.is(h.queue.length, 2);
  assert.is(h.dropped.length, 498);
  assert.equal(h.dropped.slice(0, 2), ['d2:superseded', 'd3:superseded']);
  await h.step();
  await h.step();
  await h.step();
  assert.equal(h.handled, ['d1', 'd500', 'c1']);
});

test('a desired state that arrives after commands waits behind them (arrival order kept)', async () => {
  const h = harness();
  h.queue.push(message('cmd', 'c0'));
  h.queue.push(message('desired', 'd1'));
  h.queue.push(message('cmd', 'c1'));
  h.queue.push(message('desired', 'd2'));
  await h.step();
  await h.step();
  await h.step();
  assert.equal(h.handled, ['c0', 'c1', 'd2']);
  assert.equal(h.dropped, ['d1:superseded']);
});

test('commands beyond the bound are answered busy; desired states still get through', async () => {
  const h = harness(3);
  h.queue.push(message('cmd', 'c0')); // being handled
  for (let i = 1; i <= 10; i++) h.queue.push(message('cmd', `c${i}`));
  h.queue.push(message('desired', 'd1'));
  assert.equal(h.dropped, [
    'c4:busy',
    'c5:busy',
    'c6:busy',
    'c7:busy',
    'c8:busy',
    'c9:busy',
    'c10:busy',
  ]);
  for (let i = 0; i < 5; i++) await h.step();
  assert.equal(h.handled, ['c0', 'c1', 'c2', 'c3', 'd1']);
});

test('a handler that throws is reported and the queue goes on', async () => {
  const failures: unknown[] = [];
  const handled: string[] = [];
  const queue = new InboundQueue(
    async (m) => {
      handled.push(text(m));
      if (text(m) === 'bad') throw new Error('boom');
    },
    () => {},
    (error) => failures.push(error),
  );
  queue.push(message('cmd', 'bad'));
  queue.push(message('cmd', 'good'));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  assert.equal(handled, ['bad', 'good']);
  assert.is(failures.length, 1);
});

test.run();
