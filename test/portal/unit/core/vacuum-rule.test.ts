import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mostDue, vacuumLimit } from '../../../../portal/core/vacuum-rule.ts';

test("autovacuum's limit: 50 rows plus 20 % of the table", () => {
  assert.is(vacuumLimit(0), 50);
  assert.is(vacuumLimit(10_000), 2050);
  assert.is(vacuumLimit(-1), 50, 'a never-counted table (reltuples -1) counts as empty');
});

test('nothing is due below the limit', () => {
  assert.is(mostDue([]), null);
  assert.is(mostDue([{ table: 'routers', written: 2049, rows: 10_000 }]), null);
});

test('a table is due at its limit', () => {
  assert.is(mostDue([{ table: 'routers', written: 2050, rows: 10_000 }]), 'routers');
});

test('of several due tables, the one furthest past its limit, alone', () => {
  assert.is(
    mostDue([
      { table: 'routers', written: 4100, rows: 10_000 },
      { table: 'router_sources', written: 300, rows: 100 },
      { table: 'blocked_hourly', written: 10, rows: 0 },
    ]),
    'router_sources',
  );
});

test.run();
