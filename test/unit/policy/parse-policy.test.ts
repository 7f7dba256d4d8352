import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../../agent/input-error.ts';
import { formatPrefix } from '../../../agent/policy/address.ts';
import {
  parseAction,
  parseBoolean,
  parseDeviceName,
  parseFamily,
  parsePolicy,
  parsePort,
  type RawPolicy,
} from '../../../agent/policy/parse-policy.ts';
import { ALL_FAMILIES, DEFAULT_PORTS } from '../../../agent/policy/policy.ts';
import { inputError, rejects } from '../helpers.ts';

test('an empty raw policy takes every default', () => {
  assert.equal(parsePolicy({}), {
    enabled: true,
    action: 'drop',
    ports: [25],
    allow: [],
    wanDevices: [],
    families: ['ipv4', 'ipv6'],
  });
  assert.equal(DEFAULT_PORTS, [25]);
  assert.equal(ALL_FAMILIES, ['ipv4', 'ipv6']);
});

test('empty lists for ports and families also mean the defaults', () => {
  const result = parsePolicy({ ports: [], families: [], allow: [], wanDevices: [] });
  assert.equal(result.ports, [25]);
  assert.equal(result.families, ['ipv4', 'ipv6']);
  assert.equal(result.allow, []);
  assert.equal(result.wanDevices, []);
});

test('parses every field of a full policy', () => {
  const result = parsePolicy({
    enabled: '1',
    action: 'reject',
    ports: ['587', '25', '465'],
    allow: ['203.0.113.25', '2001:db8::/32'],
    wanDevices: ['wan', 'pppoe-wan'],
    families: ['ipv4'],
  });
  assert.equal(result, {
    enabled: true,
    action: 'reject',
    ports: [25, 465, 587],
    allow: [
      { family: 'ipv4', address: '203.0.113.25', length: 32 },
      { family: 'ipv6', address: '2001:db8::', length: 32 },
    ],
    wanDevices: ['pppoe-wan', 'wan'],
    families: ['ipv4'],
  });
});

test('sorts and deduplicates ports, given as text or numbers', () => {
  assert.equal(
    parsePolicy({ ports: ['587', 25, '25', 465, '587', 2525] }).ports,
    [25, 465, 587, 2525],
  );
});

test('sorts and deduplicates WAN devices', () => {
  assert.equal(parsePolicy({ wanDevices: ['wan6', 'wan', 'eth0.2', 'wan', 'wan6'] }).wanDevices, [
    'eth0.2',
    'wan',
    'wan6',
  ]);
});

test('families come out in canonical order without duplicates', () => {
  assert.equal(parsePolicy({ families: ['ipv6', 'ipv4', 'ipv6'] }).families, ['ipv4', 'ipv6']);
  assert.equal(parsePolicy({ families: ['ipv6', 'ipv6'] }).families, ['ipv6']);
});

test('the allow-list is canonical, sorted, without duplicates or covered entries', () => {
  const result = parsePolicy({
    allow: [
      '2001:DB8:0:0:0:0:0:25',
      '203.0.113.25',
      '203.0.113.0/24',
      '198.51.100.7',
      '198.51.100.7/32',
      '2001:db8::25',
    ],
  });
  assert.equal(result.allow.map(formatPrefix), ['198.51.100.7', '203.0.113.0/24', '2001:db8::25']);
});

test('enabled accepts the UCI boolean spellings and JSON booleans', () => {
  for (const word of ['1', 'true', 'yes', 'on', 'enabled', true])
    assert.is(parsePolicy({ enabled: word }).enabled, true, String(word));
  for (const word of ['0', 'false', 'no', 'off', 'disabled', false])
    assert.is(parsePolicy({ enabled: word }).enabled, false, String(word));
});

test('the single-field parsers return the value they accept', () => {
  assert.is(parseBoolean('on', 'enabled'), true);
  assert.is(parseAction('drop'), 'drop');
  assert.is(parseAction('reject'), 'reject');
  assert.is(parsePort('1'), 1);
  assert.is(parsePort('65535'), 65535);
  assert.is(parsePort(587), 587);
  assert.is(parseDeviceName('eth0.2'), 'eth0.2');
  assert.is(parseDeviceName('pppoe-wan'), 'pppoe-wan');
  assert.is(parseDeviceName('_x'), '_x');
  assert.is(parseDeviceName('abcdefghijklmno'), 'abcdefghijklmno'); // 15 characters: the limit
  assert.is(parseFamily('ipv6'), 'ipv6');
});

const hostilePorts: unknown[] = [
  '0',
  '65536',
  '99999',
  '25-',
  '-1',
  '2 5',
  '025',
  'abc',
  ' 25',
  '25 ',
  '25,587',
  '0x19',
  '1e2',
  '',
  25.5,
  0,
  -25,
  65536,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  true,
];
for (const value of hostilePorts) {
  test(`rejects port ${JSON.stringify(String(value))} naming the value`, () => {
    rejects(() => parsePolicy({ ports: [value] }), 'invalid_port', value);
    rejects(() => parsePort(value), 'invalid_port', value);
  });
}

test('a port error says which range is allowed', () => {
  assert.match(inputError(() => parsePort('0')).message, /expected 1\.\.65535/);
});

const hostileDevices: unknown[] = [
  'wan 2',
  ' wan',
  'wan ',
  'wan"',
  "wan'",
  'wan;',
  ';',
  'wan; reboot',
  '$(x)',
  '`x`',
  'abcdefghijklmnop', // 16 characters
  'a-very-long-device-name',
  '',
  '*',
  'wan*',
  '+',
  'wan+',
  '-wan',
  '.wan',
  'wan/1',
  'wan:1',
  'wan\n',
  'wän',
  42,
  null,
];
for (const value of hostileDevices) {
  test(`rejects device name ${JSON.stringify(String(value))} naming the value`, () => {
    rejects(() => parsePolicy({ wanDevices: [value] }), 'invalid_device', value);
    rejects(() => parseDeviceName(value), 'invalid_device', value);
  });
}

const hostileAllow = [
  '1.2.3.4; reboot',
  '203.0.113.4; reboot',
  '203.0.113.4 ',
  '203.0.113.4,198.51.100.1',
  '$(reboot)',
  '203.0.113.0/33',
  '203.0.113.7/24',
  '2001:db8::/129',
  'wan',
  '',
];
for (const value of hostileAllow) {
  test(`rejects allow-list entry ${JSON.stringify(value)} naming the value`, () => {
    rejects(() => parsePolicy({ allow: [value] }), 'invalid_address', value);
  });
}

test('rejects allow-list entries that are not text', () => {
  rejects(() => parsePolicy({ allow: [42] }), 'invalid_address', 42);
  rejects(() => parsePolicy({ allow: [null] }), 'invalid_address', null);
});

for (const value of ['ipv5', 'IPv4', 'inet', 'ip4', '4', '', 'ipv4 ']) {
  test(`rejects family ${JSON.stringify(value)} naming the value`, () => {
    rejects(() => parsePolicy({ families: [value] }), 'invalid_family', value);
  });
}

for (const value of ['accept', 'ACCEPT', 'Drop', 'return', 'reject with tcp reset', '']) {
  test(`rejects action ${JSON.stringify(value)} naming the value`, () => {
    rejects(() => parsePolicy({ action: value }), 'invalid_action', value);
  });
}

for (const value of ['maybe', 'TRUE', 'Yes', '2', '', ' 1', 1, 0, null]) {
  test(`rejects enabled ${JSON.stringify(String(value))} naming the value`, () => {
    const error = rejects(() => parsePolicy({ enabled: value }), 'invalid_boolean', value);
    assert.match(error.message, /^invalid enabled /);
  });
}

test('the error message of an action names both accepted values', () => {
  assert.is(
    inputError(() => parseAction('accept')).message,
    'invalid action "accept": expected drop or reject',
  );
});

test('rejects lists longer than 1024 entries', () => {
  const allow = Array.from({ length: 1025 }, (_, i) => `203.0.113.${i % 256}`);
  const error = inputError(() => parsePolicy({ allow }));
  assert.is(error.code, 'list_too_long');
  assert.match(error.message, /1025 > 1024/);
  // 1024 entries are still fine.
  assert.is(parsePolicy({ allow: allow.slice(0, 1024) }).allow.length, 256);
});

test('rejects a list field that is not a list', () => {
  const raw = { allow: '203.0.113.25' } as unknown as RawPolicy;
  assert.is(inputError(() => parsePolicy(raw)).code, 'invalid_list');
  const devices = { wanDevices: 'wan' } as unknown as RawPolicy;
  assert.is(inputError(() => parsePolicy(devices)).code, 'invalid_list');
  const ports = { ports: '25' } as unknown as RawPolicy;
  assert.is(inputError(() => parsePolicy(ports)).code, 'invalid_list');
});

// A value that is not a list and has no length (a JSON number or object from an MQTT message)
// must not silently become the default (port 25 only, both families).
test('rejects ports and families that are not lists even when they have no length', () => {
  const ports = { ports: 587 } as unknown as RawPolicy;
  assert.is(inputError(() => parsePolicy(ports)).code, 'invalid_list');
  const families = { families: { ipv4: true } } as unknown as RawPolicy;
  assert.is(inputError(() => parsePolicy(families)).code, 'invalid_list');
});

test('an allow entry of /0 is refused: it would let every destination through', () => {
  for (const value of ['0.0.0.0/0', '::/0']) {
    const error = inputError(() => parsePolicy({ allow: [value] }));
    assert.is(error.code, 'invalid_address');
    assert.ok(error.message.includes(JSON.stringify(value)), error.message);
  }
});

test('one bad field anywhere rejects the whole policy: nothing half-valid comes back', () => {
  const good: RawPolicy = {
    enabled: '1',
    action: 'reject',
    ports: ['25', '587'],
    allow: ['203.0.113.25'],
    wanDevices: ['wan'],
    families: ['ipv4', 'ipv6'],
  };
  assert.ok(parsePolicy(good));
  const spoilers: [RawPolicy, string][] = [
    [{ ...good, enabled: 'maybe' }, 'invalid_boolean'],
    [{ ...good, action: 'accept' }, 'invalid_action'],
    [{ ...good, ports: ['25', '587', '0'] }, 'invalid_port'],
    [{ ...good, allow: ['203.0.113.25', '203.0.113.4; reboot'] }, 'invalid_address'],
    [{ ...good, wanDevices: ['wan', 'wan"'] }, 'invalid_device'],
    [{ ...good, families: ['ipv4', 'ipv5'] }, 'invalid_family'],
  ];
  for (const [raw, code] of spoilers) {
    let result: unknown = 'not assigned';
    try {
      result = parsePolicy(raw);
    } catch (error) {
      assert.instance(error, InputError);
      assert.is((error as InputError).code, code);
    }
    assert.is(result, 'not assigned', `a policy came back for ${code}`);
  }
});

test.run();
