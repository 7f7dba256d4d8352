import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addressInPrefixes,
  canonicalAddress,
  formatPrefix,
  minimalPrefixes,
  prefixContains,
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

test('minimalPrefixes keeps exactly the entries no other entry covers (random nested sets)', () => {
  // A small deterministic generator: nested and overlapping prefixes of a few networks.
  let seed = 7;
  const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < 50; round++) {
    const texts: string[] = [];
    for (let i = 0; i < 40; i++) {
      if (next(2) === 0) {
        const length = 8 + next(25);
        const address = [203, next(2), next(4) * 64, next(4) * 64];
        const mask = (b: number, i2: number) => {
          const keep = Math.max(0, Math.min(8, length - i2 * 8));
          return b & (0xff << (8 - keep)) & 0xff;
        };
        texts.push(`${address.map(mask).join('.')}/${length}`);
      } else {
        const length = 32 + next(97);
        const word = next(2) * 0x8000;
        const prefix = parsePrefix(`2001:db8:${word.toString(16)}::/48`);
        texts.push(length <= 48 ? `2001:db8::/${Math.min(length, 32)}` : formatPrefix(prefix));
      }
    }
    const prefixes = texts.map(parsePrefix);
    const want = prefixes
      .filter(
        (p, i) =>
          !prefixes.some(
            (q, j) => prefixContains(q, p) && (formatPrefix(q) !== formatPrefix(p) ? true : j < i),
          ),
      )
      .map(formatPrefix)
      .sort();
    assert.equal(minimalPrefixes(prefixes).map(formatPrefix).sort(), want, texts.join(' '));
  }
});

test('minimalPrefixes of 256 distinct hosts keeps all 256, sorted', () => {
  const hosts = Array.from({ length: 256 }, (_, i) => `2001:db8::${(255 - i).toString(16)}`);
  const result = minimalPrefixes(hosts.map(parsePrefix)).map(formatPrefix);
  assert.is(result.length, 256);
  assert.is(result[0], '2001:db8::');
  assert.is(result[255], '2001:db8::ff');
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
