import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  backoffCeilingS,
  backoffDelayMs,
  HEALTHY_SESSION_MS,
} from '../../../agent/daemon/backoff.ts';

const ALMOST_ONE = 1 - Number.EPSILON;

test('the ceiling doubles from min at each attempt', () => {
  assert.is(backoffDelayMs(0, 1, 300, ALMOST_ONE), 999);
  assert.is(backoffDelayMs(1, 1, 300, ALMOST_ONE), 1999);
  assert.is(backoffDelayMs(2, 1, 300, ALMOST_ONE), 3999);
  assert.is(backoffDelayMs(5, 2, 300, ALMOST_ONE), 63999);
});

test('the ceiling stops at max', () => {
  assert.is(backoffDelayMs(8, 1, 300, ALMOST_ONE), 255999); // 256 s, still below 300 s
  assert.is(backoffDelayMs(9, 1, 300, ALMOST_ONE), 299999); // 512 s, capped
  assert.is(backoffDelayMs(20, 1, 300, 0.5), 150000);
});

test('huge attempt counts stay finite and capped', () => {
  for (const attempt of [30, 31, 1000, Number.MAX_SAFE_INTEGER]) {
    const delay = backoffDelayMs(attempt, 3600, 86400, ALMOST_ONE);
    assert.ok(Number.isFinite(delay));
    assert.is(delay, 86399999);
  }
});

test('full jitter: the delay is random * ceiling, from 0 up to (not including) the ceiling', () => {
  assert.is(backoffDelayMs(0, 1, 300, 0), 0);
  assert.is(backoffDelayMs(3, 1, 300, 0), 0);
  assert.is(backoffDelayMs(3, 1, 300, 0.25), 2000);
  assert.is(backoffDelayMs(3, 1, 300, 0.5), 4000);
  // Spread: many draws cover the whole interval, not a band near the ceiling.
  const delays = Array.from({ length: 1000 }, (_, i) => backoffDelayMs(4, 1, 300, i / 1000));
  assert.is(Math.min(...delays), 0);
  assert.is(Math.max(...delays), 15984);
  assert.ok(delays.every((d) => Number.isInteger(d) && d >= 0 && d < 16000));
  const lowHalf = delays.filter((d) => d < 8000).length;
  assert.is(lowHalf, 500);
});

test('min equal to max gives a constant ceiling', () => {
  for (const attempt of [0, 1, 10]) assert.is(backoffDelayMs(attempt, 60, 60, 0.5), 30000);
});

test('the ceiling the daemon logs is the bound of the delay', () => {
  assert.equal(
    [0, 1, 2, 3, 4].map((n) => backoffCeilingS(n, 1, 8)),
    [1, 2, 4, 8, 8],
  );
  for (const n of [0, 3, 9])
    assert.ok(backoffDelayMs(n, 1, 300, ALMOST_ONE) < backoffCeilingS(n, 1, 300) * 1000);
});

test('a session must last a minute before the backoff starts again from reconnect_min', () => {
  assert.is(HEALTHY_SESSION_MS, 60_000);
});

test.run();
