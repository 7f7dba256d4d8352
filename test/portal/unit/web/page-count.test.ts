// The line above every paged list (fleet, audit, past runs, a rollout's requests).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pageCountText } from '../../../../portal/web/components/page-count.ts';

test('pageCountText: loading, then the range of the total in the list words', () => {
  assert.is(pageCountText({ page: undefined, before: 'Runs' }), 'Loading…');
  const runs = { before: 'Runs', after: ', newest first', empty: 'No past runs.' };
  assert.is(
    pageCountText({ ...runs, page: { offset: 0, rows: 10, total: 11 } }),
    'Runs 1–10 of 11, newest first',
  );
  assert.is(
    pageCountText({ ...runs, page: { offset: 10, rows: 1, total: 11 } }),
    'Runs 11–11 of 11, newest first',
  );
  assert.is(pageCountText({ ...runs, page: { offset: 0, rows: 0, total: 0 } }), 'No past runs.');
});

test('pageCountText: with no words for an empty list, the range reads 0–0 of 0', () => {
  assert.is(
    pageCountText({ after: ' routers', page: { offset: 0, rows: 0, total: 0 } }),
    '0–0 of 0 routers',
  );
});

test('pageCountText: large numbers are grouped, and the range never passes the total', () => {
  assert.is(
    pageCountText({ after: ' routers', page: { offset: 99_950, rows: 50, total: 100_000 } }),
    '99,951–100,000 of 100,000 routers',
  );
  // The total shrank under a page already shown: the range stops at the total.
  assert.is(pageCountText({ page: { offset: 0, rows: 50, total: 40 } }), '1–40 of 40');
});

test.run();
