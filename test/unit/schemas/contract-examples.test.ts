// (c) Every example in docs/mqtt-contract.md fits its schema, the signed examples verify with
// the key shown there, and the error-code table names every code the agent can put in a reply.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyJws } from '../../../agent/remote/jws.ts';
import { parseEd25519PublicKey } from '../../../agent/remote/public-key.ts';
import {
  jwsClaims,
  MESSAGE_KINDS,
  validateMessage,
  validateSignedMessage,
  type MessageKind,
} from '../../../contract/validate.ts';

const root = new URL('../../../', import.meta.url);
const doc = readFileSync(new URL('docs/mqtt-contract.md', root), 'utf8');

interface Block {
  readonly lang: string;
  readonly tag: string;
  readonly body: string;
  readonly line: number;
}

const blocks: Block[] = [...doc.matchAll(/^```(\S*)(?: (\S+))?\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1]!,
  tag: m[2] ?? '',
  body: m[3]!,
  line: doc.slice(0, m.index).split('\n').length,
}));

const isKind = (tag: string): tag is MessageKind =>
  (MESSAGE_KINDS as readonly string[]).includes(tag);
const where = (b: Block) => `docs/mqtt-contract.md:${b.line}`;

test('the document has examples of every kind', () => {
  for (const kind of MESSAGE_KINDS)
    assert.ok(
      blocks.some((b) => b.lang === 'json' && b.tag === kind),
      `no json ${kind} example`,
    );
  assert.ok(blocks.some((b) => b.lang === 'jws' && b.tag === 'desired'));
  assert.ok(blocks.some((b) => b.lang === 'jws' && b.tag === 'command'));
});

test('every json example is tagged with what it is', () => {
  for (const b of blocks.filter((b) => b.lang === 'json'))
    assert.ok(
      isKind(b.tag) || ['desired-claims', 'command-claims', 'jwk'].includes(b.tag),
      `${where(b)}: json block tagged ${JSON.stringify(b.tag)}`,
    );
});

for (const b of blocks.filter((b) => b.lang === 'json' && isKind(b.tag)))
  test(`${where(b)}: the ${b.tag} example fits its schema`, () => {
    const { errors } = validateMessage(b.tag as MessageKind, JSON.parse(b.body));
    assert.equal(errors, []);
  });

const pem = blocks.find((b) => b.lang === 'pem');
const jwk = blocks.find((b) => b.lang === 'json' && b.tag === 'jwk');

test('the PEM and the JWK example are the same Ed25519 key', () => {
  assert.ok(pem && jwk);
  assert.equal(parseEd25519PublicKey(pem.body), parseEd25519PublicKey(jwk.body));
});

for (const b of blocks.filter((b) => b.lang === 'jws'))
  test(`${where(b)}: the signed ${b.tag} example verifies and its claims fit`, () => {
    const token = b.body.trim();
    const key = parseEd25519PublicKey(pem!.body);
    assert.equal(verifyJws(token, [{ kid: null, key }]), jwsClaims(token));
    const kind = b.tag === 'command' ? 'command' : 'desired';
    assert.equal(validateSignedMessage(kind, token).errors, []);
  });

test('the claims shown for the signed desired state are that token', () => {
  const claims = blocks.find((b) => b.tag === 'desired-claims')!;
  const token = blocks.find((b) => b.lang === 'jws' && b.tag === 'desired')!;
  assert.equal(JSON.parse(claims.body), jwsClaims(token.body));
});

/** Codes in the error table: its rows start with | `code` |. */
function documentedCodes(): Set<string> {
  const section = doc.slice(doc.indexOf('### Error codes'), doc.indexOf('## Signed messages'));
  return new Set([...section.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((m) => m[1]!));
}

/** Codes the reply path can raise: the remote/ parsers, the daemon, and the policy checks
 * a desired state goes through. */
function emittedCodes(): Set<string> {
  const files = [
    'agent/remote/claims.ts',
    'agent/remote/command.ts',
    'agent/remote/desired-message.ts',
    'agent/remote/desired-state.ts',
    'agent/remote/jws.ts',
    'agent/remote/known-fields.ts',
    'agent/remote/public-key.ts',
    'agent/remote/messages.ts',
    'agent/remote/payload-text.ts',
    'agent/storage-error.ts',
    'agent/daemon/inbound-queue.ts',
    'agent/daemon/command-handler.ts',
    'agent/daemon/control-messages.ts',
    'agent/daemon/daemon.ts',
    'agent/daemon/desired-handler.ts',
    'agent/daemon/device-link.ts',
    'agent/daemon/verify-key-file.ts',
  ];
  const codes = new Set(['invalid_action', 'invalid_port', 'invalid_address']);
  for (const file of files) {
    const text = readFileSync(new URL(file, root), 'utf8');
    for (const m of text.matchAll(/InputError\(\s*'([a-z_]+)'|code(?:: | = )'([a-z_]+)'/g))
      codes.add(m[1] ?? m[2]!);
    // The queue's answers to messages it does not handle (inbound-queue.ts).
    for (const m of text.matchAll(/type DropReason = ([^;]+);/g))
      for (const code of m[1]!.matchAll(/'([a-z_]+)'/g)) codes.add(code[1]!);
  }
  // Key loading happens at start and on reload, never for a message: status only.
  codes.delete('invalid_verify_key');
  // No device id: no link, so never in a reply; status only.
  codes.delete('no_device_id');
  return codes;
}

test('the error-code table lists exactly the codes a reply can carry', () => {
  const documented = documentedCodes();
  const emitted = emittedCodes();
  assert.ok(emitted.size > 20, `found only ${emitted.size} codes`);
  assert.equal([...emitted].filter((c) => !documented.has(c)).sort(), [], 'undocumented');
  assert.equal([...documented].filter((c) => !emitted.has(c)).sort(), [], 'never emitted');
});

test.run();
