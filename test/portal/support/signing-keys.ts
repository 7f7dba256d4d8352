// An Ed25519 key pair for the portal's signatures: the private key in a 0600 PEM file, as the
// portal reads it, and the public PEM the played routers verify with.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { fileSigner } from '../../../portal/signing/file-signer.ts';
import type { Signer } from '../../../portal/signing/signer.ts';
import { tempDir } from '../../mqtt/helpers.ts';

export interface Keys {
  readonly dir: string;
  readonly privateFile: string;
  readonly publicPem: string;
  signer(): Promise<Signer>;
  remove(): void;
}

export async function makeKeys(): Promise<Keys> {
  const dir = tempDir();
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const privateFile = join(dir.path, 'private.pem');
  writeFileSync(privateFile, await exportPKCS8(privateKey), { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  return {
    dir: dir.path,
    privateFile,
    publicPem: await exportSPKI(publicKey),
    signer: () => fileSigner(privateFile),
    remove: dir.remove,
  };
}
