// Signed desired states and commands (JWS compact, EdDSA), checked before they leave: the fields
// with the agent's own parsers (agent/policy, agent/remote), then the finished token exactly as a
// router would read it, with the public key of the signing key. A token the agent would refuse is
// never printed or published.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { DEVICE_ID } from '../../agent/config/daemon-settings.ts';
import { formatPrefix } from '../../agent/policy/address.ts';
import { parseAction, parsePort, parseRelay } from '../../agent/policy/parse-policy.ts';
import type { ClaimsContext } from '../../agent/remote/claims.ts';
import {
  COMMAND_OPS,
  MAX_COMMAND_LIFETIME_S,
  parseCommandMessage,
} from '../../agent/remote/command.ts';
import { parseDesiredMessage } from '../../agent/remote/desired-message.ts';
import type { DesiredState } from '../../agent/remote/desired-state.ts';
import { KID, parseEd25519PublicKey } from '../../agent/remote/public-key.ts';
import { UsageError } from './flags.ts';

// A desired state is retained and read again at every reconnect: it lives for weeks (its version
// already stops replays). A command is one-shot: minutes, and routers refuse more than an hour.
export const DEFAULT_TTL_S = { desired: 30 * 86400, cmd: 300 } as const;
export const MAX_TTL_S = { desired: 10 * 365 * 86400, cmd: MAX_COMMAND_LIFETIME_S } as const;

export interface SigningKey {
  readonly privateKey: KeyObject;
  /** The raw public key, as a router's verify_key_file gives it to the agent. */
  readonly verifyKey: Uint8Array;
  /** Written into the JWS header, for routers that hold several keys (docs/security.md). */
  readonly kid: string | null;
}

export function signingKey(pem: string, kid?: string): SigningKey {
  if (kid !== undefined && !KID.test(kid))
    throw new UsageError(`--kid ${JSON.stringify(kid)}: expected 1..64 of A-Z a-z 0-9 . _ : -`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new UsageError(`--key: not a private key (${(error as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new UsageError('--key: expected an Ed25519 private key (op25b-sign keygen)');
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, verifyKey: parseEd25519PublicKey(spki), kid: kid ?? null };
}

export function checkDevice(device: string): string {
  if (!DEVICE_ID.test(device))
    throw new UsageError(`--device ${JSON.stringify(device)}: expected 1..64 of A-Z a-z 0-9 _ -`);
  return device;
}

/** The fields of a desired state but its version, checked by the agent's parsers. */
export interface DesiredFields {
  readonly enabled: boolean;
  readonly action?: string;
  readonly allow?: readonly string[];
  readonly ports?: readonly string[];
}

export function desiredClaims(fields: DesiredFields, version: number): Record<string, unknown> {
  const claims: Record<string, unknown> = { version, enabled: fields.enabled };
  if (fields.action !== undefined) claims.action = parseAction(fields.action);
  if (fields.allow) claims.allow = fields.allow.map((a) => formatPrefix(parseRelay(a)));
  if (fields.ports) claims.ports = fields.ports.map(parsePort);
  return claims;
}

async function sign(
  key: SigningKey,
  device: string,
  claims: Record<string, unknown>,
  ttlS: number,
  now: number,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', ...(key.kid !== null && { kid: key.kid }) })
    .setSubject(checkDevice(device))
    .setIssuedAt(now)
    .setExpirationTime(now + ttlS)
    .sign(key.privateKey);
}

const context = (key: SigningKey, device: string, now: number): ClaimsContext => ({
  deviceId: device,
  keys: [{ kid: key.kid, key: key.verifyKey }],
  allowUnsigned: false,
  now,
});

export async function signDesired(
  key: SigningKey,
  device: string,
  claims: Record<string, unknown>,
  ttlS: number,
  now = Math.floor(Date.now() / 1000),
): Promise<{ token: string; desired: DesiredState }> {
  const token = await sign(key, device, claims, ttlS, now);
  const desired = parseDesiredMessage(token, Buffer.byteLength(token), context(key, device, now));
  return { token, desired };
}

export async function signCommand(
  key: SigningKey,
  device: string,
  id: string,
  op: string,
  ttlS: number,
  now = Math.floor(Date.now() / 1000),
): Promise<string> {
  if (!(COMMAND_OPS as readonly string[]).includes(op))
    throw new UsageError(`--op ${JSON.stringify(op)}: expected ${COMMAND_OPS.join(', ')}`);
  const token = await sign(key, device, { id, op }, ttlS, now);
  parseCommandMessage(token, Buffer.byteLength(token), context(key, device, now));
  return token;
}
