import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FirewallError, NO_COUNTERS, topSources } from '../../../agent/firewall/backend.ts';

test('topSources: most attempts first, ties by address, zero counts dropped, limited', () => {
  const counts = [
    { address: '203.0.113.9', attempts: 2 },
    { address: '198.51.100.2', attempts: 9 },
    { address: '2001:db8::1', attempts: 0 },
    { address: '198.51.100.3', attempts: 2 },
    { address: '203.0.113.1', attempts: 5 },
  ];
  assert.equal(topSources(counts, 10), [
    { address: '198.51.100.2', attempts: 9 },
    { address: '203.0.113.1', attempts: 5 },
    { address: '198.51.100.3', attempts: 2 },
    { address: '203.0.113.9', attempts: 2 },
  ]);
  assert.equal(topSources(counts, 2), [
    { address: '198.51.100.2', attempts: 9 },
    { address: '203.0.113.1', attempts: 5 },
  ]);
  assert.equal(topSources([], 10), []);
  // The input is left as it was.
  assert.is(counts[0]!.address, '203.0.113.9');
});

test('NO_COUNTERS and FirewallError', () => {
  assert.equal(NO_COUNTERS, { blockedPackets: 0, blockedBytes: 0, topSources: [] });
  const error = new FirewallError('nft -f failed');
  assert.instance(error, Error);
  assert.is(error.name, 'FirewallError');
  assert.is(error.message, 'nft -f failed');
});

test.run();
