// (b) The schemas and the agent's parsers agree: what the code refuses, the schema refuses too,
// and what the code accepts, the schema accepts. The few checks a schema cannot make (the
// device id, the clock, host bits) are listed apart, so a new divergence shows up here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../../agent/input-error.ts';
import { effectivePolicy } from '../../../agent/policy/effective-policy.ts';
import { CLOCK_LEEWAY_S } from '../../../agent/remote/claims.ts';
import { MAX_COMMAND_LIFETIME_S, parseCommandMessage } from '../../../agent/remote/command.ts';
import { parseDesiredMessage } from '../../../agent/remote/desired-message.ts';
import { validateMessage } from '../../../contract/validate.ts';
import { config, DEVICE, NOW_S, payload, unsigned } from './fixtures.ts';

/** The daemon's whole check of a desired state: parse, then lay it over the config. */
function codeDesired(document: unknown): string | null {
  try {
    effectivePolicy(config.policy, parseDesiredMessage(...payload(document), unsigned));
    return null;
  } catch (error) {
    if (error instanceof InputError) return error.code;
    throw error;
  }
}

function codeCommand(document: unknown): string | null {
  try {
    parseCommandMessage(...payload(document), unsigned);
    return null;
  } catch (error) {
    if (error instanceof InputError) return error.code;
    throw error;
  }
}

const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

const goodDesired: unknown[] = [
  { version: 0, enabled: true },
  { version: 1, enabled: false },
  { version: 9007199254740991, enabled: true },
  {
    version: 7,
    enabled: true,
    action: 'reject',
    allow: ['203.0.113.25', '2001:DB8::/32', '198.51.100.0/24'],
    ports: [25, 587, 465],
  },
  { version: 8, enabled: true, allow: [], ports: [25] },
  { version: 9, enabled: true, ports: many(256, (i) => i + 1) },
  { version: 10, enabled: true, sub: DEVICE, exp: NOW_S + 60, iat: NOW_S, nbf: NOW_S, jti: 'j' },
];

const badDesired: [unknown, string][] = [
  [{ version: 1 }, 'invalid_enabled'],
  [{ enabled: true }, 'invalid_version'],
  [{ version: -1, enabled: true }, 'invalid_version'],
  [{ version: 1.5, enabled: true }, 'invalid_version'],
  [{ version: '1', enabled: true }, 'invalid_version'],
  [{ version: 9007199254740992, enabled: true }, 'invalid_version'],
  [{ version: null, enabled: true }, 'invalid_version'],
  [{ version: 1, enabled: 'true' }, 'invalid_enabled'],
  [{ version: 1, enabled: 1 }, 'invalid_enabled'],
  [{ version: 1, enabled: true, Enabled: true }, 'unknown_field'],
  [{ version: 1, enabled: true, wan_device: ['wan'] }, 'unknown_field'],
  [{ version: 1, enabled: true, action: 'accept' }, 'invalid_action'],
  [{ version: 1, enabled: true, action: null }, 'invalid_action'],
  [{ version: 1, enabled: true, allow: '203.0.113.25' }, 'invalid_list'],
  [{ version: 1, enabled: true, allow: [5] }, 'invalid_address'],
  [{ version: 1, enabled: true, allow: ['mail.example.net'] }, 'invalid_address'],
  [{ version: 1, enabled: true, allow: ['0.0.0.0/0'] }, 'invalid_address'],
  [{ version: 1, enabled: true, allow: ['::/0'] }, 'invalid_address'],
  [{ version: 1, enabled: true, allow: ['203.0.113.0/033'] }, 'invalid_address'],
  [
    { version: 1, enabled: true, allow: many(257, (i) => `2001:db8::${i.toString(16)}`) },
    'list_too_long',
  ],
  [{ version: 1, enabled: true, ports: 25 }, 'invalid_list'],
  [{ version: 1, enabled: true, ports: [0] }, 'invalid_port'],
  [{ version: 1, enabled: true, ports: [65536] }, 'invalid_port'],
  [{ version: 1, enabled: true, ports: [25.5] }, 'invalid_port'],
  [{ version: 1, enabled: true, ports: [-25] }, 'invalid_port'],
  [{ version: 1, enabled: true, ports: ['25'] }, 'invalid_port'],
  [{ version: 1, enabled: true, ports: many(257, (i) => i + 1) }, 'list_too_long'],
  [{ version: 1, enabled: true, sub: 42 }, 'wrong_device'],
  [{ version: 1, enabled: true, exp: 'tomorrow' }, 'missing_expiry'],
  [{ version: 1, enabled: true, nbf: 'now' }, 'not_yet_valid'],
  [[{ version: 1, enabled: true }], 'malformed_json'],
  ['null', 'malformed_json'],
  ['"desired"', 'malformed_json'],
];

// Refused by the agent, but only with knowledge a schema lacks.
const badDesiredBeyondSchema: [unknown, string][] = [
  [{ version: 1, enabled: true, allow: ['198.51.100.7/24'] }, 'invalid_address'], // host bits
  [{ version: 1, enabled: true, allow: ['::ffff:198.51.100.7'] }, 'invalid_address'],
  [{ version: 1, enabled: true, allow: ['203.0.113.256'] }, 'invalid_address'],
  [{ version: 1, enabled: true, sub: 'cpe-0002' }, 'wrong_device'],
  [{ version: 1, enabled: true, exp: NOW_S - CLOCK_LEEWAY_S }, 'expired'],
  [{ version: 1, enabled: true, nbf: NOW_S + CLOCK_LEEWAY_S + 1 }, 'not_yet_valid'],
];

for (const document of goodDesired)
  test(`desired accepted by both: ${JSON.stringify(document).slice(0, 100)}`, () => {
    assert.is(codeDesired(document), null);
    assert.equal(validateMessage('desired', document).errors, []);
  });

for (const [document, code] of badDesired)
  test(`desired refused by both (${code}): ${JSON.stringify(document).slice(0, 90)}`, () => {
    assert.is(codeDesired(document), code);
    assert.is(validateMessage('desired', document).valid, false);
  });

for (const [document, code] of badDesiredBeyondSchema)
  test(`desired refused by the agent only (${code}): ${JSON.stringify(document)}`, () => {
    assert.is(codeDesired(document), code);
    assert.is(validateMessage('desired', document).valid, true);
  });

test('the contract is stricter than the agent on iat/jti types', () => {
  for (const document of [
    { version: 1, enabled: true, iat: 'yesterday' },
    { version: 1, enabled: true, jti: 7 },
  ]) {
    assert.is(codeDesired(document), null);
    assert.is(validateMessage('desired', document).valid, false);
  }
});

const goodCommands: unknown[] = [
  { id: 'c1', op: 'report' },
  { id: 'verify-2026-11-28T06:00', op: 'verify' },
  { id: 'a'.repeat(64), op: 'reapply' },
  { id: 'A.b_c:d-1', op: 'report', sub: DEVICE, exp: NOW_S + MAX_COMMAND_LIFETIME_S, iat: NOW_S },
];

const badCommands: [unknown, string][] = [
  [{ op: 'report' }, 'invalid_id'],
  [{ id: '', op: 'report' }, 'invalid_id'],
  [{ id: 'a'.repeat(65), op: 'report' }, 'invalid_id'],
  [{ id: 'with space', op: 'report' }, 'invalid_id'],
  [{ id: 'slash/no', op: 'report' }, 'invalid_id'],
  [{ id: 17, op: 'report' }, 'invalid_id'],
  [{ id: 'c1' }, 'unknown_op'],
  [{ id: 'c1', op: 'reboot' }, 'unknown_op'],
  [{ id: 'c1', op: 'REPORT' }, 'unknown_op'],
  [{ id: 'c1', op: 'report', args: {} }, 'unknown_field'],
  [{ id: 'c1', op: 'report', exp: '1h' }, 'missing_expiry'],
  [{ id: 'c1', op: 'report', sub: null }, 'wrong_device'],
  [['report'], 'malformed_json'],
  ['{"id":"c1","op":"report"', 'malformed_json'],
];

const badCommandsBeyondSchema: [unknown, string][] = [
  [
    { id: 'c1', op: 'report', exp: NOW_S + MAX_COMMAND_LIFETIME_S + CLOCK_LEEWAY_S + 1 },
    'expiry_too_far',
  ],
  [{ id: 'c1', op: 'report', exp: NOW_S - CLOCK_LEEWAY_S }, 'expired'],
  [{ id: 'c1', op: 'report', sub: 'cpe-0002' }, 'wrong_device'],
];

for (const document of goodCommands)
  test(`command accepted by both: ${JSON.stringify(document)}`, () => {
    assert.is(codeCommand(document), null);
    assert.equal(validateMessage('command', document).errors, []);
  });

for (const [document, code] of badCommands)
  test(`command refused by both (${code}): ${JSON.stringify(document)}`, () => {
    assert.is(codeCommand(document), code);
    assert.is(validateMessage('command', document).valid, false);
  });

for (const [document, code] of badCommandsBeyondSchema)
  test(`command refused by the agent only (${code}): ${JSON.stringify(document)}`, () => {
    assert.is(codeCommand(document), code);
    assert.is(validateMessage('command', document).valid, true);
  });

test('signed claims need sub and exp on top of the message fields', async () => {
  const { validateSignedMessage } = await import('../../../contract/validate.ts');
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const token = (header: unknown, claims: unknown) => `${b64(header)}.${b64(claims)}.c2ln`;
  const claims = { version: 3, enabled: true, sub: DEVICE, iat: NOW_S, exp: NOW_S + 60 };
  assert.ok(validateSignedMessage('desired', token({ alg: 'EdDSA' }, claims)).valid);
  const { exp: _e, ...noExp } = claims;
  assert.not.ok(validateSignedMessage('desired', token({ alg: 'EdDSA' }, noExp)).valid);
  const { sub: _s, ...noSub } = claims;
  assert.not.ok(validateSignedMessage('desired', token({ alg: 'EdDSA' }, noSub)).valid);
  assert.not.ok(validateSignedMessage('desired', token({ alg: 'HS256' }, claims)).valid);
  assert.not.ok(
    validateSignedMessage('desired', token({ alg: 'EdDSA' }, { ...claims, x: 1 })).valid,
  );
  assert.not.ok(validateSignedMessage('desired', 'not-a-token').valid);
  const command = { id: 'c1', op: 'verify', sub: DEVICE, exp: NOW_S + 60 };
  assert.ok(validateSignedMessage('command', token({ alg: 'EdDSA' }, command)).valid);
  assert.not.ok(validateSignedMessage('command', token({ alg: 'EdDSA' }, claims)).valid);
});

test.run();
