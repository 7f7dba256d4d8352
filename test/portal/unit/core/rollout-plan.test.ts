import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlanError, planWaves, waveGate } from '../../../../portal/core/rollout-plan.ts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);
const T = { maxErrorShare: 0.05, maxMissingShare: 0.1 };

test('1 %, 10 %, the rest: every router once, in order', () => {
  const waves = planWaves(ids(1000), [1, 10, 100]);
  assert.equal(
    waves.map((w) => w.length),
    [10, 90, 900],
  );
  assert.equal(waves.flat(), ids(1000));
});

test('small fleets: each wave has at least one router, empty waves are dropped', () => {
  assert.equal(
    planWaves(ids(3), [1, 10, 100]).map((w) => w.length),
    [1, 1, 1],
  );
  assert.equal(
    planWaves(ids(1), [1, 10, 100]).map((w) => w.length),
    [1],
  );
  assert.equal(planWaves([], [100]), []);
});

test('bad wave lists are refused', () => {
  for (const waves of [[], [10, 5, 100], [1, 10], [0, 100], [50, 150]])
    assert.throws(
      () => planWaves(ids(10), waves),
      (e: unknown) => e instanceof PlanError,
      JSON.stringify(waves),
    );
});

test('a wave waits for its replies until the timeout', () => {
  assert.equal(waveGate({ size: 10, ok: 9, errors: 0, failed: 0 }, 0, 500, 1000, T), {
    over: false,
  });
  assert.equal(waveGate({ size: 10, ok: 10, errors: 0, failed: 0 }, 0, 500, 1000, T), {
    over: true,
    missing: 0,
    halt: null,
  });
});

test('halts when error replies pass the threshold', () => {
  const gate = waveGate({ size: 10, ok: 9, errors: 1, failed: 0 }, 0, 10, 1000, T);
  assert.ok(gate.over && gate.halt?.startsWith('error replies 10 %'), JSON.stringify(gate));
  const failed = waveGate({ size: 100, ok: 94, errors: 0, failed: 6 }, 0, 10, 1000, T);
  assert.ok(failed.over && failed.halt !== null, 'failed publishes count as errors');
  const within = waveGate({ size: 100, ok: 95, errors: 5, failed: 0 }, 0, 10, 1000, T);
  assert.ok(within.over && within.halt === null, '5 % is not more than 5 %');
});

test('halts when missing replies pass the threshold at the timeout', () => {
  const gate = waveGate({ size: 10, ok: 8, errors: 0, failed: 0 }, 0, 1000, 1000, T);
  assert.ok(gate.over && gate.missing === 2 && gate.halt?.startsWith('missing replies 20 %'));
  const ok = waveGate({ size: 10, ok: 9, errors: 0, failed: 0 }, 0, 1000, 1000, T);
  assert.ok(ok.over && ok.missing === 1 && ok.halt === null);
});

test.run();
