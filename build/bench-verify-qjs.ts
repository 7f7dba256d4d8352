// The Ed25519 figures of `npm run bench`: build/bench-verify.ts bundled for qjs and run there on
// a JWS signed here with jose, so the agent's own verifier is what is timed.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { qjsEsbuildOptions } from './esbuild-qjs-options.ts';

const root = new URL('..', import.meta.url).pathname;

/**
 * Ms per Ed25519 JWS verification under qjs, with the agent's own verifier: the first one (which
 * builds the tables of the base point and of the key) and the mean of the `runs` after it.
 */
export async function verifyMs(
  dir: string,
  qjs: string,
  runs: number,
): Promise<{ first: number; mean: number }> {
  const script = join(dir, 'bench-verify.js');
  await build({
    ...qjsEsbuildOptions,
    entryPoints: [join(root, 'build', 'bench-verify.ts')],
    outfile: script,
    bundle: true,
    format: 'esm',
    target: 'es2020',
    external: ['os', 'std'],
    minify: true,
    banner: { js: 'import "std";' },
    logLevel: 'warning',
  });
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ version: 8, enabled: true, allow: ['203.0.113.25'] })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject('bench-cpe')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  const key = [...Buffer.from((await exportJWK(publicKey)).x!, 'base64url')];
  const input = join(dir, 'bench-verify.json');
  writeFileSync(input, JSON.stringify({ token, key }));
  const out = execFileSync(qjs, [script, input, String(runs)], { encoding: 'utf8' });
  const [first, mean] = out.trim().split(/\s+/).map(Number) as [number, number];
  return { first, mean };
}
