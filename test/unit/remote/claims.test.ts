import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLOCK_LEEWAY_S,
  ENVELOPE_CLAIMS,
  MAX_PAYLOAD_BYTES,
  readClaims,
  rejectUnknownFields,
  remoteControl,
  type ClaimsContext,
} from '../../../agent/remote/claims.ts';
import { inputError } from '../helpers.ts';
import { makeIsp } from './tokens.ts';

const isp = await makeIsp();
const NOW = 1_795_845_600;
const DEVICE = 'cpe-0001';
const unsigned: ClaimsContext = { deviceId: DEVICE, keys: null, allowUnsigned: true, now: NOW };
const signed: ClaimsContext = { deviceId: DEVICE, keys: isp.keys, allowUnsigned: false, now: NOW };

const read = (text: string, context: ClaimsContext, bytes = Buffer.byteLength(text)) =>
  readClaims(text, bytes, context);
const code = (text: string, context: ClaimsContext, bytes?: number) =>
  inputError(() => read(text, context, bytes)).code;

test('unsigned JSON without envelope claims is accepted as it is', () => {
  assert.equal(read('{"version":1,"enabled":true}', unsigned), {
    body: { version: 1, enabled: true },
    signed: false,
    expiresAt: null,
  });
});

test('the size limit is checked on the byte length, before anything is parsed', () => {
  assert.is(MAX_PAYLOAD_BYTES, 16384);
  const padded = (n: number) => {
    const text = `{"jti":"${'x'.repeat(n - 10)}"}`;
    assert.is(Buffer.byteLength(text), n);
    return text;
  };
  assert.equal(read(padded(MAX_PAYLOAD_BYTES), unsigned).body.jti, 'x'.repeat(16374));
  assert.is(code(padded(MAX_PAYLOAD_BYTES + 1), unsigned), 'payload_too_large');
  assert.is(code('not even json', unsigned, MAX_PAYLOAD_BYTES + 1), 'payload_too_large');
  assert.is(code('not even json', signed, 1_000_000), 'payload_too_large');
  // Multi-byte characters count as bytes: 6000 three-byte characters are 18000 bytes.
  const wide = `{"jti":"${'ポ'.repeat(6000)}"}`;
  assert.is(code(wide, unsigned), 'payload_too_large');
});

test('unsigned: anything but a JSON object is malformed_json', () => {
  for (const text of ['', '{', 'null', '[]', '[{"version":1}]', '"x"', '42', 'true'])
    assert.is(code(text, unsigned), 'malformed_json', text);
});

// BUG: with a broker and no verify_key_file the router obeyed unsigned JSON from anyone who can
// publish to its topics. Without a key, remote control now needs allow_unsigned '1'.
test('no key and no allow_unsigned: every message is refused (no_verify_key)', async () => {
  const off: ClaimsContext = { ...unsigned, allowUnsigned: false };
  assert.is(code('{"version":1,"enabled":false}', off), 'no_verify_key');
  assert.is(code('{"id":"c1","op":"report"}', off), 'no_verify_key');
  const token = await isp.sign({ version: 1, enabled: false }, { sub: DEVICE, exp: NOW + 60 });
  assert.is(code(token, off), 'no_verify_key');
  assert.match(inputError(() => read('{}', off)).message, 'allow_unsigned');
  assert.is(remoteControl(off), 'off');
  assert.is(remoteControl(unsigned), 'unsigned');
  assert.is(remoteControl(signed), 'signed');
  assert.is(remoteControl({ ...signed, allowUnsigned: true }), 'signed');
});

test('unsigned: a JWS without a configured key is refused (no_verify_key)', async () => {
  const token = await isp.sign({ version: 1 }, { sub: DEVICE, exp: NOW + 60 });
  assert.is(code(token, unsigned), 'no_verify_key');
});

test('signed: plain JSON is refused when a key is configured (unsigned)', () => {
  assert.is(code('{"version":1,"enabled":true}', signed), 'unsigned');
  assert.is(code('', signed), 'unsigned');
});

test('signed: a good token gives its claims, signed, and its expiry', async () => {
  const token = await isp.sign(
    { id: 'c1', op: 'verify' },
    { sub: DEVICE, iat: NOW, exp: NOW + 300 },
  );
  assert.equal(read(token, signed), {
    body: { id: 'c1', op: 'verify', sub: DEVICE, iat: NOW, exp: NOW + 300 },
    signed: true,
    expiresAt: NOW + 300,
  });
});

test('signed: the signature is checked (bad_signature from another key)', async () => {
  const other = await makeIsp();
  const token = await other.sign({ version: 1 }, { sub: DEVICE, exp: NOW + 60 });
  assert.is(code(token, signed), 'bad_signature');
});

test('signed: sub is required and must be this device', async () => {
  assert.is(code(await isp.sign({ version: 1 }, { exp: NOW + 60 }), signed), 'wrong_device');
  assert.is(
    code(await isp.sign({ version: 1 }, { sub: 'cpe-0002', exp: NOW + 60 }), signed),
    'wrong_device',
  );
  assert.is(
    code(await isp.sign({ version: 1, sub: 1 }, { exp: NOW + 60 }), signed),
    'wrong_device',
  );
});

test('signed: exp is required, numeric, and in the future', async () => {
  assert.is(code(await isp.sign({ version: 1 }, { sub: DEVICE }), signed), 'missing_expiry');
  assert.is(
    code(isp.signRaw({ alg: 'EdDSA' }, JSON.stringify({ sub: DEVICE, exp: '9999999999' })), signed),
    'missing_expiry',
  );
  // Clocks drift: an exp up to CLOCK_LEEWAY_S in the past still passes.
  const L = CLOCK_LEEWAY_S;
  assert.is(code(await isp.sign({}, { sub: DEVICE, exp: NOW - L }), signed), 'expired');
  assert.is(code(await isp.sign({}, { sub: DEVICE, exp: NOW - L - 1 }), signed), 'expired');
  assert.is(
    read(await isp.sign({}, { sub: DEVICE, exp: NOW - L + 1 }), signed).expiresAt,
    NOW - L + 1,
  );
});

test('signed: claims that are not an object are malformed_json', () => {
  assert.is(code(isp.signRaw({ alg: 'EdDSA' }, '[1,2]'), signed), 'malformed_json');
  assert.is(code(isp.signRaw({ alg: 'EdDSA' }, 'null'), signed), 'malformed_json');
});

test('unsigned: sub and exp are checked when present', () => {
  assert.is(read(`{"sub":"${DEVICE}"}`, unsigned).body.sub, DEVICE);
  assert.is(code('{"sub":"cpe-0002"}', unsigned), 'wrong_device');
  assert.is(code('{"sub":null}', unsigned), 'wrong_device');
  assert.is(code('{"exp":"soon"}', unsigned), 'missing_expiry');
  assert.is(code('{"exp":null}', unsigned), 'missing_expiry');
  assert.is(code(`{"exp":${NOW - CLOCK_LEEWAY_S}}`, unsigned), 'expired');
  assert.is(read(`{"exp":${NOW + 1}}`, unsigned).expiresAt, NOW + 1);
  assert.is(read(`{"exp":${NOW + 0.5}}`, unsigned).expiresAt, NOW + 0.5);
});

test('nbf: refused while in the future or not a number, accepted from then on', async () => {
  const L = CLOCK_LEEWAY_S;
  assert.is(code(`{"nbf":${NOW + L + 1}}`, unsigned), 'not_yet_valid');
  assert.is(code('{"nbf":"now"}', unsigned), 'not_yet_valid');
  assert.is(read(`{"nbf":${NOW + L}}`, unsigned).body.nbf, NOW + L);
  const early = isp.signRaw(
    { alg: 'EdDSA' },
    JSON.stringify({ sub: DEVICE, exp: NOW + 600, nbf: NOW + L + 30 }),
  );
  assert.is(code(early, signed), 'not_yet_valid');
});

test('rejectUnknownFields allows the listed fields and the envelope claims only', () => {
  assert.equal(ENVELOPE_CLAIMS, ['sub', 'exp', 'iat', 'nbf', 'jti']);
  rejectUnknownFields({ id: 1, op: 2, sub: 3, exp: 4, iat: 5, nbf: 6, jti: 7 }, ['id', 'op']);
  const error = inputError(() => rejectUnknownFields({ id: 1, Op: 2 }, ['id', 'op']));
  assert.is(error.code, 'unknown_field');
  assert.is(error.message, 'unknown field "Op"');
  assert.is(inputError(() => rejectUnknownFields({ aud: 'x' }, [])).code, 'unknown_field');
});

test.run();
