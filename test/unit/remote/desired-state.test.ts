import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOCK_LEEWAY_S, type ClaimsContext } from '../../../agent/remote/claims.ts';
import { parseDesiredMessage, versionHint } from '../../../agent/remote/desired-message.ts';
import { desiredFromObject } from '../../../agent/remote/desired-state.ts';
import { inputError } from '../helpers.ts';
import { makeIsp } from './tokens.ts';

const isp = await makeIsp();
const NOW = 1_795_845_600;
const DEVICE = 'cpe-0001';
const unsigned: ClaimsContext = { deviceId: DEVICE, keys: null, allowUnsigned: true, now: NOW };
const signed: ClaimsContext = { deviceId: DEVICE, keys: isp.keys, allowUnsigned: false, now: NOW };

const parse = (document: unknown, context = unsigned) => {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  return parseDesiredMessage(text, Buffer.byteLength(text), context);
};
const code = (document: unknown, context = unsigned) =>
  inputError(() => parse(document, context)).code;

test('the smallest desired state: version and enabled', () => {
  assert.equal(parse({ version: 0, enabled: true }), { version: 0, enabled: true });
  assert.equal(parse({ version: 5, enabled: false }), { version: 5, enabled: false });
});

test('every field, canonical: addresses rewritten, lists sorted and deduplicated', () => {
  assert.equal(
    parse({
      version: 7,
      enabled: true,
      action: 'reject',
      allow: ['2001:DB8:0:0::/32', '203.0.113.25/32', '198.51.100.0/24'],
      ports: [587, 25, 25],
    }),
    {
      version: 7,
      enabled: true,
      action: 'reject',
      allow: ['198.51.100.0/24', '203.0.113.25', '2001:db8::/32'],
      ports: [25, 587],
    },
  );
});

test('envelope claims are allowed in unsigned JSON and left out of the state', () => {
  assert.equal(
    parse({ version: 1, enabled: true, sub: DEVICE, exp: NOW + 9, iat: NOW, nbf: NOW, jti: 'a' }),
    { version: 1, enabled: true },
  );
});

test('version: a non-negative safe integer', () => {
  assert.is(parse({ version: Number.MAX_SAFE_INTEGER, enabled: true }).version, 2 ** 53 - 1);
  assert.is(parse('{"version":3.0,"enabled":true}').version, 3);
  for (const version of [-1, 1.5, '1', null, true, 2 ** 53, 1e300, [], {}])
    assert.is(code({ version, enabled: true }), 'invalid_version', JSON.stringify(version));
  assert.is(code({ enabled: true }), 'invalid_version');
});

test('enabled: a JSON boolean, nothing else', () => {
  for (const enabled of ['true', 1, 0, '1', null, 'on'])
    assert.is(code({ version: 1, enabled }), 'invalid_enabled', JSON.stringify(enabled));
  assert.is(code({ version: 1 }), 'invalid_enabled');
});

test('unknown fields are refused before anything else', () => {
  assert.is(code({ version: 1, enabled: true, Enabled: false }), 'unknown_field');
  assert.is(code({ version: -1, wan_device: ['wan'] }), 'unknown_field');
  assert.is(code({ version: 1, enabled: true, family: ['ipv4'] }), 'unknown_field');
});

test('action: drop or reject', () => {
  assert.is(parse({ version: 1, enabled: true, action: 'drop' }).action, 'drop');
  for (const action of ['accept', 'DROP', '', null, 1])
    assert.is(code({ version: 1, enabled: true, action }), 'invalid_action', String(action));
});

test('allow: a list of at most 256 addresses or prefixes', () => {
  assert.equal(parse({ version: 1, enabled: true, allow: [] }).allow, []);
  const many = Array.from({ length: 256 }, (_, i) => `2001:db8::${i.toString(16)}`);
  assert.is(parse({ version: 1, enabled: true, allow: many }).allow!.length, 256);
  assert.is(
    code({ version: 1, enabled: true, allow: [...many, '2001:db8::ffff'] }),
    'list_too_long',
  );
  assert.is(code({ version: 1, enabled: true, allow: '203.0.113.25' }), 'invalid_list');
  assert.is(code({ version: 1, enabled: true, allow: { a: 1 } }), 'invalid_list');
  for (const entry of [
    5,
    null,
    '',
    'relay.isp.example',
    '198.51.100.7/24',
    '203.0.113.0/33',
    '::ffff:198.51.100.7',
  ])
    assert.is(
      code({ version: 1, enabled: true, allow: [entry] }),
      'invalid_address',
      String(entry),
    );
});

test('ports: a list of 1 to 256 ports 1..65535', () => {
  assert.is(code({ version: 1, enabled: true, ports: [] }), 'invalid_list');
  assert.equal(parse({ version: 1, enabled: true, ports: [1, 65535] }).ports, [1, 65535]);
  const many = Array.from({ length: 257 }, (_, i) => i + 1);
  assert.is(code({ version: 1, enabled: true, ports: many }), 'list_too_long');
  assert.is(code({ version: 1, enabled: true, ports: 25 }), 'invalid_list');
  for (const port of [0, 65536, -25, 25.5, null, 'smtp', '025'])
    assert.is(code({ version: 1, enabled: true, ports: [port] }), 'invalid_port', String(port));
});

test('ports: JSON integers only, a string is refused even when UCI would take it', () => {
  for (const port of ['25', '587', '65535'])
    assert.is(code({ version: 1, enabled: true, ports: [port] }), 'invalid_port', port);
  assert.is(code({ version: 1, enabled: true, ports: [25, '587'] }), 'invalid_port');
});

test('the claims checks apply: size, JSON, device, expiry', () => {
  assert.is(code('{"version":1,'), 'malformed_json');
  assert.is(code([{ version: 1, enabled: true }]), 'malformed_json');
  assert.is(code({ version: 1, enabled: true, sub: 'cpe-0002' }), 'wrong_device');
  assert.is(code({ version: 1, enabled: true, exp: NOW - CLOCK_LEEWAY_S }), 'expired');
  const big = JSON.stringify({ version: 1, enabled: true, jti: 'x'.repeat(17000) });
  assert.is(
    inputError(() => parseDesiredMessage(big, big.length, unsigned)).code,
    'payload_too_large',
  );
});

test('a signed desired state made by jose is accepted; the envelope is dropped', async () => {
  const token = await isp.sign(
    { version: 8, enabled: true, allow: ['203.0.113.25'], ports: [25] },
    { sub: DEVICE, iat: NOW, exp: NOW + 600 },
  );
  assert.equal(parse(token, signed), {
    version: 8,
    enabled: true,
    allow: ['203.0.113.25'],
    ports: [25],
  });
  assert.is(code({ version: 8, enabled: true }, signed), 'unsigned');
  const bad = await isp.sign({ version: 8, enabled: 'yes' }, { sub: DEVICE, exp: NOW + 600 });
  assert.is(code(bad, signed), 'invalid_enabled');
});

test('desiredFromObject validates a stored copy the same way', () => {
  assert.equal(desiredFromObject({ version: 2, enabled: false }), { version: 2, enabled: false });
  assert.is(inputError(() => desiredFromObject({ version: 2 })).code, 'invalid_enabled');
});

test('hostile fields get their documented code, never internal', () => {
  const base = { version: 1, enabled: true };
  assert.is(code({ ...base, allow: [{ toString: '203.0.113.25' }] }), 'invalid_address');
  assert.is(code({ ...base, allow: [{ valueOf: 1, toString: 2 }] }), 'invalid_address');
  assert.is(code({ ...base, allow: [['203.0.113.25']] }), 'invalid_address');
  assert.is(code({ ...base, ports: [{ toString: '25' }] }), 'invalid_port');
  assert.is(code({ ...base, ports: [[25]] }), 'invalid_port');
  assert.is(code({ ...base, action: { toString: 'drop' } }), 'invalid_action');
  const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.is(code(`{"version":1,"enabled":true,"allow":${nested(150)}}`), 'malformed_json');
  assert.is(code(`{"version":1,"enabled":true,"allow":[${nested(150)}]}`), 'malformed_json');
  assert.is(code(`${'{"a":'.repeat(150)}1${'}'.repeat(150)}`), 'malformed_json');
});

test('text that QuickJS 2021-03-27 JSON.parse accepts but JSON does not: malformed_json', () => {
  for (const text of [
    '{"version":3.,"enabled":true}',
    '{"version":-01,"enabled":true}',
    String.raw`{"version":1,"enabled":true,"action":"\x64rop"}`,
    '{"version":1,"enabled":true,}',
    '{"version":1,"version":9,"enabled":true}',
  ])
    assert.is(code(text), 'malformed_json', text);
});

test('a signed desired state with a payload nested 150 deep: malformed_token', () => {
  const deep = isp.signRaw({ alg: 'EdDSA' }, '['.repeat(150) + ']'.repeat(150));
  assert.is(code(deep, signed), 'malformed_token');
});

/** The version a reply to `document` echoes. */
function hint(document: unknown, context = unsigned): number | null {
  try {
    parse(document, context);
  } catch (error) {
    return versionHint(error);
  }
  throw new Error('not refused');
}

test('versionHint reads any number under version of authentic claims, else null', () => {
  assert.is(hint({ version: 12, enabled: 'x' }), 12);
  assert.is(hint({ version: -3 }), -3);
  assert.is(hint({ version: '12' }), null);
  assert.is(hint({ enabled: true }), null);
  assert.is(hint('{'), null);
  assert.is(hint('null'), null);
  assert.is(hint('[]'), null);
  assert.is(versionHint(new Error('not an InputError')), null);
});

// BUG: the reply to a refused JWS echoed the version of its unverified payload: anyone could
// make a router answer "version N failed" for any N, and the contract said it never does. Now
// only claims the router took as authentic (a verified JWS; plain JSON with allow_unsigned)
// are echoed.
test('a refused JWS echoes its version only when its signature verified', async () => {
  const other = await makeIsp();
  const forged = await other.sign({ version: 9, enabled: true }, { sub: DEVICE, exp: NOW + 60 });
  assert.is(code(forged, signed), 'bad_signature');
  assert.is(hint(forged, signed), null);
  const [h, , s] = forged.split('.');
  const garbled = `${h}.${Buffer.from('{"version":9').toString('base64url')}.${s}`;
  assert.is(hint(garbled, signed), null);
  const wrongDevice = await isp.sign(
    { version: 9, enabled: true },
    { sub: 'cpe-0002', exp: NOW + 60 },
  );
  assert.is(code(wrongDevice, signed), 'wrong_device');
  assert.is(hint(wrongDevice, signed), 9);
  const badField = await isp.sign({ version: 10, enabled: 'yes' }, { sub: DEVICE, exp: NOW + 60 });
  assert.is(code(badField, signed), 'invalid_enabled');
  assert.is(hint(badField, signed), 10);
  // Plain JSON to a router that requires signatures, or takes no remote control at all.
  assert.is(hint({ version: 11, enabled: true }, signed), null);
  assert.is(hint({ version: 11, enabled: true }, { ...unsigned, allowUnsigned: false }), null);
});

test.run();
