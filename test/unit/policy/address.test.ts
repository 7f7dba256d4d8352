import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addressInPrefixes,
  canonicalAddress,
  formatPrefix,
  minimalPrefixes,
  parsePrefix,
} from '../../../agent/policy/address.ts';
import { InputError } from '../../../agent/input-error.ts';

test('parses IPv4 hosts and prefixes', () => {
  assert.equal(parsePrefix('203.0.113.25'), {
    family: 'ipv4',
    address: '203.0.113.25',
    length: 32,
  });
  assert.equal(parsePrefix('198.51.100.0/24'), {
    family: 'ipv4',
    address: '198.51.100.0',
    length: 24,
  });
  assert.is(formatPrefix(parsePrefix('203.0.113.25/32')), '203.0.113.25');
  assert.is(formatPrefix(parsePrefix('0.0.0.0/0')), '0.0.0.0/0');
});

test('parses IPv6 into RFC 5952 text', () => {
  assert.is(parsePrefix('2001:DB8:0:0:0:0:0:25').address, '2001:db8::25');
  assert.is(parsePrefix('2001:db8:0:1:0:0:0:1').address, '2001:db8:0:1::1');
  assert.is(parsePrefix('2001:db8:0:1:1:1:1:1').address, '2001:db8:0:1:1:1:1:1');
  assert.is(formatPrefix(parsePrefix('2001:db8::/32')), '2001:db8::/32');
  assert.is(parsePrefix('::').address, '::');
});

const hostile = [
  '1.2.3.4; reboot',
  '1.2.3.4 ',
  ' 1.2.3.4',
  '1.2.3',
  '1.2.3.4.5',
  '256.1.1.1',
  '01.2.3.4',
  '1.2.3.4/33',
  '1.2.3.4/24',
  '1.2.3.0/-1',
  '1.2.3.0/',
  '1.2.3.0/08',
  '2001:db8::/129',
  '2001:db8:::1',
  '2001:db8::1::2',
  '1:2:3:4:5:6:7:8:9',
  'fe80::1%eth0',
  '$(reboot)',
  '"203.0.113.1"',
  '',
  'localhost',
  '::ffff:198.51.100.7',
  '::ffff:c633:6407',
  '::198.51.100.7',
];

for (const value of hostile) {
  test(`rejects ${JSON.stringify(value)} naming the value`, () => {
    try {
      parsePrefix(value);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, InputError);
      assert.is((error as InputError).code, 'invalid_address');
      assert.ok((error as Error).message.includes(JSON.stringify(value)));
    }
  });
}

test('says which network was meant when host bits are set', () => {
  assert.throws(() => parsePrefix('198.51.100.7/24'), /198\.51\.100\.0\/24/);
});

test('minimalPrefixes drops duplicates and covered entries, sorts by family', () => {
  const result = minimalPrefixes(
    ['2001:db8::25', '203.0.113.25', '203.0.113.0/24', '198.51.100.1', '198.51.100.1'].map(
      parsePrefix,
    ),
  ).map(formatPrefix);
  assert.equal(result, ['198.51.100.1', '203.0.113.0/24', '2001:db8::25']);
});

test('addressInPrefixes and canonicalAddress', () => {
  const allow = ['203.0.113.0/28', '2001:db8:ff::/48'].map(parsePrefix);
  assert.ok(addressInPrefixes('203.0.113.15', allow));
  assert.not.ok(addressInPrefixes('203.0.113.16', allow));
  assert.ok(addressInPrefixes('2001:DB8:FF:0::9', allow));
  assert.not.ok(addressInPrefixes('not an address', allow));
  assert.is(canonicalAddress('2001:0db8:0000::0001'), '2001:db8::1');
  assert.is(canonicalAddress('x'), null);
});

test.run();
