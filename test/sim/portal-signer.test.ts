// The portal's signer and the simulated routers agree: a desired state signed by
// portal/signing/file-signer.ts (with a kid, as the portal may send) is applied by a router
// whose key comes from the public PEM, read the way `fleet-sim --verify-key` reads it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEd25519PublicKey } from '../../agent/remote/public-key.ts';
import { fileSigner } from '../../portal/signing/file-signer.ts';
import { SimulatedRouter } from '../../sim/router-model.ts';
import { seededRandom } from '../../sim/random.ts';

test('a desired state and a command from the portal signer are accepted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'op25b-sim-signer-'));
  try {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    writeFileSync(join(dir, 'private.pem'), await exportPKCS8(privateKey), { mode: 0o600 });
    writeFileSync(join(dir, 'public.pem'), await exportSPKI(publicKey));
    const signer = await fileSigner(join(dir, 'private.pem'), 'isp-2026');
    const id = '02f500000042';
    const now = Date.now();
    const s = Math.floor(now / 1000);
    const router = new SimulatedRouter({
      id,
      index: 0x42,
      profile: 'quiet',
      verifyKey: parseEd25519PublicKey(readFileSync(join(dir, 'public.pem'), 'utf8')),
      random: seededRandom(1),
      now,
    });
    const desired = await signer.sign({
      version: 77,
      enabled: false,
      sub: id,
      iat: s,
      exp: s + 600,
    });
    assert.equal(router.onDesired(desired, desired.length, now).reply, { version: 77, ok: true });
    const cmd = await signer.sign({ id: 'p-1', op: 'report', sub: id, exp: s + 60 });
    assert.equal(router.onCommand(cmd, cmd.length, now).reply, { id: 'p-1', ok: true });
    // For another router the same token is refused.
    const other = await signer.sign({
      version: 78,
      enabled: true,
      sub: '02f500000043',
      exp: s + 600,
    });
    assert.is(router.onDesired(other, other.length, now).reply.error?.code, 'wrong_device');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
