// How the pages write spans of time (the router page's "for 3 h 12 min" and a past run's length).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { duration } from '../../../../portal/web/format-values.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

test('duration: at most two units, rounded down, never negative', () => {
  const cases: [number | null | undefined, string][] = [
    [0, '0 s'],
    [999, '0 s'],
    [59 * S + 999, '59 s'],
    [MIN, '1 min'],
    [59 * MIN + 59 * S, '59 min'],
    [H, '1 h'],
    [3 * H + 12 * MIN + 30 * S, '3 h 12 min'],
    [23 * H + 59 * MIN, '23 h 59 min'],
    [D, '1 d'],
    [2 * D + 4 * H + 59 * MIN, '2 d 4 h'],
    [400 * D, '400 d'],
    // The browser's clock behind the portal's: a time "in the future" is no time yet.
    [-5 * S, '0 s'],
    [null, '—'],
    [undefined, '—'],
    [Number.NaN, '—'],
  ];
  for (const [ms, text] of cases) assert.is(duration(ms), text, String(ms));
});

test.run();
