// The portal's signer makes exactly the token the agent verifies: checked with the agent's own
// verification code (agent/remote/jws.ts), with jose's, and byte for byte against jose's
// CompactSign (Ed25519 is deterministic). The key file's checks: mode 0600, Ed25519, PKCS#8 PEM.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompactSign,
  compactVerify,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  importSPKI,
} from 'jose';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyJws } from '../../../../agent/remote/jws.ts';
import { parseVerifyKeys } from '../../../../agent/remote/public-key.ts';
import { fileSigner, SigningKeyError } from '../../../../portal/signing/file-signer.ts';

const dir = mkdtempSync(join(tmpdir(), 'op25b-signer-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function keyFiles(name: string) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const privatePem = await exportPKCS8(privateKey);
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, privatePem, { mode: 0o600 });
  return { file, privatePem, publicPem: await exportSPKI(publicKey) };
}

const CLAIMS = {
  version: 1_790_000_000_123,
  enabled: false,
  action: 'reject',
  ports: [25],
  allow: ['203.0.113.25/32', '2001:db8:ff::25/128'],
  sub: 'router-a',
  iat: 1_790_000_000,
  exp: 1_790_604_800,
};

for (const kid of [undefined, 'isp-2026']) {
  test(`tokens${kid ? ' with a kid' : ''}: the agent's verifier and jose accept them; identical to jose's`, async () => {
    const keys = await keyFiles(`k-${kid ?? 'none'}`);
    const signer = await fileSigner(keys.file, kid);
    assert.is(signer.kid, kid);
    const token = await signer.sign(CLAIMS);
    const verifyKeys = parseVerifyKeys(
      kid ? JSON.stringify({ keys: [{ ...(await jwkOf(keys.publicPem)), kid }] }) : keys.publicPem,
    );
    assert.equal(verifyJws(token, verifyKeys), CLAIMS);
    const { payload, protectedHeader } = await compactVerify(
      token,
      await importSPKI(keys.publicPem, 'EdDSA'),
    );
    assert.equal(protectedHeader, kid ? { alg: 'EdDSA', kid } : { alg: 'EdDSA' });
    assert.equal(JSON.parse(new TextDecoder().decode(payload)), CLAIMS);
    const byJose = await new CompactSign(new TextEncoder().encode(JSON.stringify(CLAIMS)))
      .setProtectedHeader(kid ? { alg: 'EdDSA', kid } : { alg: 'EdDSA' })
      .sign(await importPKCS8(keys.privatePem, 'EdDSA'));
    assert.is(token, byJose);
    // One changed claim and the agent refuses the token.
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...CLAIMS, enabled: true })).toString('base64url')}.${s}`;
    assert.throws(() => verifyJws(forged, verifyKeys), /signature does not verify/);
  });
}

async function jwkOf(publicPem: string) {
  return exportJWK(await importSPKI(publicPem, 'EdDSA'));
}

test('another key does not verify', async () => {
  const a = await keyFiles('a');
  const b = await keyFiles('b');
  const token = await (await fileSigner(a.file)).sign(CLAIMS);
  assert.throws(() => verifyJws(token, parseVerifyKeys(b.publicPem)), /signature does not verify/);
});

async function refusal(path: string): Promise<string> {
  try {
    await fileSigner(path);
  } catch (error) {
    assert.instance(error, SigningKeyError);
    return (error as Error).message;
  }
  throw new Error(`${path} was accepted`);
}

test('key files refused: readable by others, missing, not PEM, not Ed25519', async () => {
  const keys = await keyFiles('open');
  const open = join(dir, 'open-644.pem');
  writeFileSync(open, keys.privatePem, { mode: 0o644 });
  assert.match(await refusal(open), /has mode 644: it must be readable by its owner only/);
  const group = join(dir, 'open-640.pem');
  writeFileSync(group, keys.privatePem, { mode: 0o640 });
  assert.match(await refusal(group), /has mode 640/);
  assert.match(await refusal(join(dir, 'missing.pem')), /ENOENT/);
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a key\n', { mode: 0o600 });
  assert.match(await refusal(garbage), /is not an Ed25519 PKCS#8 PEM key/);
  const publicOnly = join(dir, 'public-only.pem');
  writeFileSync(publicOnly, keys.publicPem, { mode: 0o600 });
  assert.match(await refusal(publicOnly), /is not an Ed25519 PKCS#8 PEM key/);
  const ec = join(dir, 'ec.pem');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(ec, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  assert.match(await refusal(ec), /is not an Ed25519 PKCS#8 PEM key: it is ec/);
});

test('claims that are not JSON are a rejection, not a token', async () => {
  const keys = await keyFiles('bad-claims');
  const signer = await fileSigner(keys.file);
  const circular: Record<string, unknown> = { version: 1 };
  circular.self = circular;
  let error: unknown = null;
  await signer.sign(circular).catch((e: unknown) => (error = e));
  assert.instance(error, TypeError);
});

test.run();
