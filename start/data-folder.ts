// What `npm start` keeps between runs, in one git-ignored folder (data/ by default): the portal's
// signing key and the routers' verification key, made on the first start; the demo operator's
// password, generated once; the portal's PGlite database; the routers' flash; the logs.
// Secrets are written 0600 and re-checked at every start.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DataFolder {
  readonly root: string;
  readonly portalData: string;
  readonly routersDir: string;
  readonly logsDir: string;
  readonly brokerDir: string;
  readonly signingKey: string;
  readonly verifyKey: string;
  readonly passwordFile: string;
}

export function dataFolder(root: string): DataFolder {
  return {
    root,
    portalData: join(root, 'portal'),
    routersDir: join(root, 'routers'),
    logsDir: join(root, 'logs'),
    brokerDir: join(root, 'broker'),
    signingKey: join(root, 'keys', 'portal-signing-key.pem'),
    verifyKey: join(root, 'keys', 'router-verify-key.pem'),
    passwordFile: join(root, 'demo-password'),
  };
}

/** Creates the folders; returns which secrets were made now (first start). */
export function prepareDataFolder(folder: DataFolder): { newKey: boolean; newPassword: boolean } {
  for (const dir of [folder.root, folder.routersDir, folder.logsDir, folder.brokerDir])
    mkdirSync(dir, { recursive: true });
  mkdirSync(join(folder.root, 'keys'), { recursive: true, mode: 0o700 });
  let newKey = false;
  if (!existsSync(folder.signingKey)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(folder.verifyKey, publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(folder.signingKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    newKey = true;
  }
  if (!existsSync(folder.verifyKey))
    throw new Error(`${folder.verifyKey} is missing (remove ${folder.signingKey} to make a pair)`);
  let newPassword = false;
  if (!existsSync(folder.passwordFile)) {
    writeFileSync(folder.passwordFile, `${randomBytes(15).toString('base64url')}\n`, {
      mode: 0o600,
    });
    newPassword = true;
  }
  // The portal refuses a signing key others can read; the password file is kept as tight.
  for (const secret of [folder.signingKey, folder.passwordFile])
    if ((statSync(secret).mode & 0o077) !== 0) chmodSync(secret, 0o600);
  return { newKey, newPassword };
}

export function demoPassword(folder: DataFolder): string {
  return readFileSync(folder.passwordFile, 'utf8').trim();
}
