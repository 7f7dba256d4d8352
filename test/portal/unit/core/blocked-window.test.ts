import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HOUR_MS, untilNextHour } from '../../../../portal/core/blocked-window.ts';

const HOUR = Date.UTC(2026, 11, 2, 11);

test('untilNextHour: from inside an hour, on its first millisecond, and on its last', () => {
  assert.is(untilNextHour(HOUR + 25 * 60_000, 1000), 35 * 60_000 + 1000);
  assert.is(untilNextHour(HOUR, 1000), HOUR_MS + 1000, 'an hour just begun waits for the next');
  assert.is(untilNextHour(HOUR + HOUR_MS - 1, 0), 1);
});

test.run();
