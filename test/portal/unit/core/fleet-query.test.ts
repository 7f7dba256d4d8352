import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_QUERY,
  fleetQueryParams,
  parseFleetQuery,
  QueryError,
} from '../../../../portal/core/fleet-query.ts';
import { BACKENDS } from '../../../../contract/message-types.ts';

test('defaults', () => {
  assert.equal(parseFleetQuery({}), DEFAULT_QUERY);
});

test('paging, descending sort, filters and search', () => {
  const q = parseFleetQuery({
    offset: '100',
    limit: '25',
    sort: '-blocked',
    q: 'e8450',
    online: 'true',
    enabled: '0',
    backend: 'iptables',
    wan_proto: 'dhcp',
    has_error: 'false',
    not_reporting: '1',
    trouble: 'true',
    blocked_min: '5',
    blocked_hours: '48',
  });
  assert.equal(q, {
    offset: 100,
    limit: 25,
    sort: 'blocked',
    order: 'desc',
    blockedHours: 48,
    q: 'e8450',
    online: true,
    enabled: false,
    backend: 'iptables',
    wanProto: 'dhcp',
    hasError: false,
    notReporting: true,
    trouble: true,
    blockedMin: 5,
  });
  assert.equal(parseFleetQuery(fleetQueryParams(q)), {
    ...q,
    offset: 0,
    limit: 50,
    sort: 'id',
    order: 'asc',
  });
});

test('every backend of the contract is a filter value, simulated (npm start) too', () => {
  for (const backend of BACKENDS) assert.is(parseFleetQuery({ backend }).backend, backend);
});

test('bad values and unknown parameters are refused, naming the parameter', () => {
  const bad: Record<string, string>[] = [
    { limit: '0' },
    { limit: '1001' },
    { offset: '-1' },
    { sort: 'password' },
    { online: 'yes' },
    { backend: 'pf' },
    { backend: 'nftables|simulated' },
    { wan_proto: "x'; DROP TABLE routers; --" },
    { onlin: 'true' },
  ];
  for (const params of bad) {
    try {
      parseFleetQuery(params);
      assert.unreachable(JSON.stringify(params));
    } catch (error) {
      assert.instance(error, QueryError);
      assert.is((error as QueryError).param, Object.keys(params)[0]);
    }
  }
});

test.run();
