// Signed fuzz payloads: EdDSA JWS tokens (compact) made with node:crypto from a test key, their
// claims mutated as in payloads.ts and signed properly, or the token itself broken (header,
// signature, encoding, wrong key). Pure apart from the signing.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { baseDesired, havoc, type FuzzCase, type CaseGenerator, type Kind } from './payloads.ts';
import { unsignedGenerator } from './payloads.ts';
import type { Random } from './random.ts';

export interface SigningKeys {
  readonly privateKey: KeyObject;
  /** The public key as PEM (SubjectPublicKeyInfo), what agent.verify_key_file holds. */
  readonly publicPem: string;
  /** Another key: its signatures must not verify. */
  readonly otherKey: KeyObject;
}

export function makeSigningKeys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    otherKey: generateKeyPairSync('ed25519').privateKey,
  };
}

const b64u = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A compact JWS over raw header and claims text. */
export function jws(headerText: string, claimsText: string, key: KeyObject): string {
  const input = `${b64u(headerText)}.${b64u(claimsText)}`;
  return `${input}.${b64u(sign(null, Buffer.from(input), key))}`;
}

const HEADER = '{"alg":"EdDSA"}';

export function signedGenerator(
  random: Random,
  keys: SigningKeys,
  device: string,
  idPrefix: string,
  nowS: () => number = () => Math.floor(Date.now() / 1000),
): CaseGenerator {
  // Claims mutations reuse the unsigned generator's field cases, with sub and exp added.
  const claimsSource = unsignedGenerator(random, idPrefix);
  let n = 0;
  const claims = (kind: Kind): Record<string, unknown> => ({
    ...(kind === 'desired' ? baseDesired() : { id: `${idPrefix}-s${++n}`, op: 'verify' }),
    sub: device,
    exp: nowS() + (kind === 'desired' ? 86400 : 300),
  });
  const token = (kind: Kind, over: Record<string, unknown> = {}, drop: string[] = []): string => {
    const body: Record<string, unknown> = { ...claims(kind), ...over };
    for (const field of drop) delete body[field];
    return jws(HEADER, JSON.stringify(body), keys.privateKey);
  };
  const c = (
    family: string,
    kind: Kind,
    t: string,
    expect: readonly string[] | null,
  ): FuzzCase => ({
    family: `signed.${family}`,
    kind,
    bytes: text(t),
    expect,
  });
  return {
    next(kind) {
      const roll = random.int(100);
      if (roll < 40) {
        const inner = claimsSource.next(kind);
        if (!inner.family.startsWith('field.') && inner.family !== 'valid')
          return c(
            'claims_text',
            kind,
            jws(HEADER, new TextDecoder().decode(inner.bytes), keys.privateKey),
            null,
          );
        const body = JSON.parse(new TextDecoder().decode(inner.bytes)) as Record<string, unknown>;
        const signedBody: Record<string, unknown> = { sub: device, exp: claims(kind).exp, ...body };
        const id = typeof signedBody.id === 'string' && inner.id ? { id: inner.id } : {};
        return {
          ...c(
            inner.family,
            kind,
            jws(HEADER, JSON.stringify(signedBody), keys.privateKey),
            inner.expect,
          ),
          ...id,
        };
      }
      const [h, p, s] = token(kind).split('.') as [string, string, string];
      const sig = Buffer.from(s, 'base64url');
      switch (roll % 15) {
        case 0: {
          sig[random.int(64)]! ^= 1 << random.int(8);
          return c('flipped_signature', kind, `${h}.${p}.${b64u(sig)}`, ['bad_signature']);
        }
        case 1:
          return c('other_key', kind, jws(HEADER, JSON.stringify(claims(kind)), keys.otherKey), [
            'bad_signature',
          ]);
        case 2:
          return c(
            'claims_swapped',
            kind,
            `${h}.${b64u(JSON.stringify({ ...claims(kind), enabled: false }))}.${s}`,
            ['bad_signature'],
          );
        case 3:
          return c('short_signature', kind, `${h}.${p}.${b64u(sig.subarray(0, 63))}`, [
            'malformed_token',
          ]);
        case 4:
          // Not base64url: the contract's malformed_token, or unsigned when the agent tells a JWS
          // by its alphabet (then it is "not a JWS").
          return c('bad_base64', kind, `${h}.${p}.${s.slice(0, 40)}*${s.slice(41)}`, [
            'malformed_token',
            'unsigned',
          ]);
        case 5: {
          const alg = random.pick(['none', 'HS256', 'ES256', 'eddsa', 'Ed25519']);
          return c(
            'alg',
            kind,
            jws(JSON.stringify({ alg }), JSON.stringify(claims(kind)), keys.privateKey),
            ['unsupported_algorithm'],
          );
        }
        case 6:
          return c(
            'crit',
            kind,
            jws('{"alg":"EdDSA","crit":["exp"]}', JSON.stringify(claims(kind)), keys.privateKey),
            ['malformed_token'],
          );
        case 7:
          return c(
            'header_not_json',
            kind,
            jws(
              random.pick(['{"alg":"EdDSA"', '[]', '"EdDSA"', '{alg:EdDSA}']),
              JSON.stringify(claims(kind)),
              keys.privateKey,
            ),
            ['malformed_token'],
          );
        case 8:
          return c(
            'claims_not_object',
            kind,
            jws(HEADER, random.pick(['[]', '1', 'null']), keys.privateKey),
            ['malformed_json'],
          );
        case 9:
          return c('no_sub', kind, token(kind, {}, ['sub']), ['wrong_device']);
        case 10:
          return c(
            'no_exp',
            kind,
            random.next() < 0.5 ? token(kind, {}, ['exp']) : token(kind, { exp: 'soon' }),
            ['missing_expiry'],
          );
        case 11:
          return c('unsigned', kind, JSON.stringify(claims(kind)), ['unsigned']);
        case 12:
          // R = the base point, S = 1: a forgery that only a sloppy verifier takes.
          return c(
            'forged_r_b_s_1',
            kind,
            `${h}.${p}.${b64u(Buffer.concat([Buffer.from('5866666666666666666666666666666666666666666666666666666666666666', 'hex'), Buffer.from('01'.padEnd(64, '0'), 'hex')]))}`,
            ['bad_signature'],
          );
        case 13:
          return c(
            'havoc',
            kind,
            new TextDecoder().decode(havoc(random, text(`${h}.${p}.${s}`))),
            null,
          );
        default:
          return c(
            'parts',
            kind,
            random.pick([`${h}.${p}`, `${h}.${p}.${s}.${s}`, `..`, `${h}..${s}`, `.${p}.${s}`]),
            null,
          );
      }
    },
  };
}
