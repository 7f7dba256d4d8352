// `op25b-sign keygen`: a new Ed25519 key pair. An existing pair is never overwritten without
// --force (routers trust the old public key: a new pair locks the ISP out until it is deployed).
// The private key is written 0600 before any byte of it, then renamed into place.
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './flags.ts';

export interface KeyFiles {
  readonly privateFile: string;
  readonly publicFile: string;
}

const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

function writeFile(path: string, text: string, mode: number): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, '', { mode, flag: 'wx' });
  chmodSync(temporary, mode); // the umask may have taken bits away; never added any
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

export function keygen(dir: string, force: boolean): KeyFiles {
  const privateFile = join(dir, 'private.pem');
  const publicFile = join(dir, 'public.pem');
  const existing = [privateFile, publicFile].filter((f) => existsSync(f));
  if (existing.length && !force)
    throw new UsageError(`${existing.join(' and ')} exist: give --force to replace the key pair`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFile(
    privateFile,
    withNewline(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    0o600,
  );
  writeFile(
    publicFile,
    withNewline(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    0o644,
  );
  return { privateFile, publicFile };
}
