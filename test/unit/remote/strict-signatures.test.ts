// Strict Ed25519 (RFC 8032, as libsodium): the cases of forgeries.ts through the agent's own
// key loading (public-key.ts) and verification (jws.ts), under Node; test/mqtt/
// strict-signatures.test.ts runs the same cases under dist/qjs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyJws } from '../../../agent/remote/jws.ts';
import { parseVerifyKeys } from '../../../agent/remote/public-key.ts';
import { InputError } from '../../../agent/input-error.ts';
import { forgedForIdentity, IDENTITY, laxVerifies, makeSigner, strictCases } from './forgeries.ts';

const claims = { version: 5, enabled: false, sub: 'cpe-0001', exp: 2_000_000_000 };

function outcome(keyFile: string, token: string): string {
  try {
    verifyJws(token, parseVerifyKeys(keyFile));
    return 'ok';
  } catch (error) {
    if (error instanceof InputError) return error.code;
    throw error;
  }
}

// BUG: a small-order (identity) key was accepted at load and on SIGHUP, after which the forged
// token R = B, S = 1 (valid for any message under that key) was applied. Keys are now checked
// when loaded, and signatures verified strictly.
test('the forgery is real: a lax verifier takes R = B, S = 1 under the identity key', () => {
  assert.ok(laxVerifies(forgedForIdentity(claims), IDENTITY));
});

test('every strict case gives its expected outcome', () => {
  const problems = strictCases(claims)
    .map((c) => ({ ...c, got: outcome(c.keyFile, c.token) }))
    .filter((c) => c.got !== c.expect)
    .map((c) => `${c.label}: expected ${c.expect}, got ${c.got}`);
  assert.equal(problems, []);
});

test('the refused signatures would pass a lax verifier (the cases test what they claim)', () => {
  const signer = makeSigner();
  for (const c of strictCases(claims).filter((c) => /with R|non-canonical R/.test(c.label))) {
    const key = parseVerifyKeys(c.keyFile)[0]!.key;
    assert.ok(laxVerifies(c.token, key), c.label);
  }
  assert.ok(laxVerifies(signer.sign(claims), signer.publicKey));
});

test('even past the key check, verification refuses a small-order key', () => {
  const error = (() => {
    try {
      verifyJws(forgedForIdentity(claims), [{ kid: null, key: IDENTITY }]);
    } catch (e) {
      return e as InputError;
    }
    return null;
  })();
  assert.is(error?.code, 'bad_signature');
});

test.run();
