import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StatusReporter } from '../../../agent/daemon/status-reporter.ts';
import type { StatusDocument } from '../../../agent/status/status-report.ts';
import { clockRuntime, type ClockRuntime } from './fake-clock.ts';

const MIN_MS = 1000;

interface Harness {
  readonly runtime: ClockRuntime;
  readonly reporter: StatusReporter;
  /** When each build started (ms since the fake epoch start). */
  readonly builds: number[];
  readonly stored: string[];
  readonly published: StatusDocument[];
  /** Makes build() wait until release() is called. */
  hold(): void;
  release(): void;
  failNext(): void;
}

function harness(): Harness {
  const runtime = clockRuntime();
  const t0 = runtime.now();
  const builds: number[] = [];
  const stored: string[] = [];
  const published: StatusDocument[] = [];
  let gate: Promise<void> | null = null;
  let open: (() => void) | null = null;
  let fail = false;
  const reporter = new StatusReporter({
    runtime,
    minIntervalMs: MIN_MS,
    async build() {
      builds.push(runtime.now() - t0);
      if (gate) await gate;
      if (fail) {
        fail = false;
        throw new Error('counters failed');
      }
      return { n: builds.length } as unknown as StatusDocument;
    },
    store: (text) => stored.push(text),
    async publish(document) {
      published.push(document);
      return true;
    },
  });
  return {
    runtime,
    reporter,
    builds,
    stored,
    published,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = null;
      open?.();
    },
    failNext() {
      fail = true;
    },
  };
}

test('the first request is reported at once, stored as pretty JSON and published', async () => {
  const h = harness();
  let done = false;
  void h.reporter.request().then(() => (done = true));
  await h.runtime.advance(0);
  assert.equal(h.builds, [0]);
  assert.equal(h.stored, ['{\n  "n": 1\n}\n']);
  assert.equal(h.published, [{ n: 1 }]);
  assert.ok(done);
});

test('requests before the report goes out are coalesced into one', async () => {
  const h = harness();
  const all = Promise.all([h.reporter.request(), h.reporter.request(), h.reporter.request()]);
  await h.runtime.advance(0);
  await all;
  assert.equal(h.builds.length, 1);
  assert.is(h.published.length, 1);
  assert.is(h.runtime.pendingTimers(), 0);
});

test('at most one report per minIntervalMs: a later request waits for the interval', async () => {
  const h = harness();
  void h.reporter.request();
  await h.runtime.advance(300);
  let second = false;
  void h.reporter.request().then(() => (second = true));
  await h.runtime.advance(699);
  assert.equal(h.builds, [0]);
  assert.not.ok(second);
  await h.runtime.advance(1);
  assert.equal(h.builds, [0, 1000]);
  assert.ok(second);
});

test('after a quiet spell a request is reported at once again', async () => {
  const h = harness();
  void h.reporter.request();
  await h.runtime.advance(5000);
  void h.reporter.request();
  await h.runtime.advance(0);
  assert.equal(h.builds, [0, 5000]);
});

test('a burst of requests in one interval gives one more report, not one each', async () => {
  const h = harness();
  void h.reporter.request();
  await h.runtime.advance(0);
  for (let i = 0; i < 10; i++) {
    void h.reporter.request();
    await h.runtime.advance(50);
  }
  await h.runtime.advance(2000);
  assert.equal(h.builds, [0, 1000]);
});

test('a request made while a report runs gets a report of its own, after it', async () => {
  const h = harness();
  h.hold();
  let first = false;
  let second = false;
  void h.reporter.request().then(() => (first = true));
  await h.runtime.advance(0);
  assert.equal(h.builds, [0]);
  void h.reporter.request().then(() => (second = true));
  await h.runtime.advance(200);
  h.release();
  await h.runtime.settle();
  assert.ok(first, 'the running report answers its own waiters');
  assert.not.ok(second, 'but not the one that came in while it ran');
  await h.runtime.advance(1000);
  assert.equal(h.builds, [0, 1200]);
  assert.ok(second);
});

test('a failed build resolves the waiters, stores and publishes nothing, and counts', async () => {
  const h = harness();
  h.failNext();
  let done = false;
  void h.reporter.request().then(() => (done = true));
  await h.runtime.advance(0);
  assert.ok(done);
  assert.equal(h.stored, []);
  assert.equal(h.published, []);
  void h.reporter.request();
  await h.runtime.advance(999);
  assert.is(h.builds.length, 1, 'the failed attempt still counts for the rate limit');
  await h.runtime.advance(1);
  assert.is(h.published.length, 1);
});

test('cancel drops a scheduled report', async () => {
  const h = harness();
  void h.reporter.request();
  await h.runtime.advance(0);
  void h.reporter.request();
  assert.is(h.runtime.pendingTimers(), 1);
  h.reporter.cancel();
  assert.is(h.runtime.pendingTimers(), 0);
  await h.runtime.advance(5000);
  assert.is(h.builds.length, 1);
});

test('a publish that reports "not connected" still stores the document', async () => {
  const runtime = clockRuntime();
  const stored: string[] = [];
  const reporter = new StatusReporter({
    runtime,
    minIntervalMs: MIN_MS,
    build: async () => ({ ok: 1 }) as unknown as StatusDocument,
    store: (text) => stored.push(text),
    publish: async () => false,
  });
  const done = reporter.request();
  await runtime.advance(0);
  await done;
  assert.is(stored.length, 1);
});

test.run();
