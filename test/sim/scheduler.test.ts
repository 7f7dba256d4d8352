import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Scheduler } from '../../sim/scheduler.ts';

// A hand-driven clock with one timer slot, as the scheduler promises to use it.
function fakeClock() {
  let now = 0;
  let timer: { at: number; fire: () => void } | null = null;
  let armed = 0;
  return {
    clock: {
      now: () => now,
      setTimer: (ms: number, fire: () => void) => {
        armed++;
        timer = { at: now + ms, fire };
        return timer;
      },
      clearTimer: (handle: unknown) => {
        if (timer === handle) timer = null;
      },
    },
    /** Moves time to `to`, firing the timer whenever it is due. */
    advance(to: number) {
      while (timer && timer.at <= to) {
        now = timer.at;
        const { fire } = timer;
        timer = null;
        fire();
      }
      now = to;
    },
    pending: () => timer !== null,
    armedCount: () => armed,
  };
}

test('entries run in time order, equal times in the order given, with one timer', () => {
  const f = fakeClock();
  const s = new Scheduler(f.clock);
  const ran: string[] = [];
  s.after(300, () => ran.push('c'));
  s.after(100, () => ran.push('a1'));
  s.after(100, () => ran.push('a2'));
  s.after(200, () => ran.push('b'));
  f.advance(150);
  assert.equal(ran, ['a1', 'a2']);
  f.advance(1000);
  assert.equal(ran, ['a1', 'a2', 'b', 'c']);
  assert.is(s.size, 0);
  assert.is(f.pending(), false);
});

test('entries scheduled from an entry run later, and many entries share the timer', () => {
  const f = fakeClock();
  const s = new Scheduler(f.clock);
  let count = 0;
  const tick = (): void => {
    if (++count < 5) s.after(10, tick);
  };
  s.after(10, tick);
  for (let i = 0; i < 1000; i++) s.after(5000 + i, () => count++);
  f.advance(100);
  assert.is(count, 5);
  f.advance(10_000);
  assert.is(count, 1005);
  // One timer per distinct wake-up, never one per entry added.
  assert.ok(f.armedCount() < 1100, String(f.armedCount()));
});

test('stop drops everything; a throwing entry does not stop the others', () => {
  const f = fakeClock();
  const s = new Scheduler(f.clock);
  const ran: number[] = [];
  const errors: unknown[] = [];
  const original = globalThis.queueMicrotask;
  globalThis.queueMicrotask = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      errors.push(error);
    }
  };
  try {
    s.after(10, () => {
      throw new Error('boom');
    });
    s.after(10, () => ran.push(1));
    f.advance(10);
  } finally {
    globalThis.queueMicrotask = original;
  }
  assert.equal(ran, [1]);
  assert.is(errors.length, 1);
  s.after(10, () => ran.push(2));
  s.stop();
  s.after(10, () => ran.push(3));
  f.advance(100);
  assert.equal(ran, [1]);
});

test.run();
