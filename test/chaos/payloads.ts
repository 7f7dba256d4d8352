// Fuzz payloads for `desired` and `cmd`: structure-aware mutations of valid messages (one field
// made wrong in a known way, so the reply's code is known), byte-level havoc on valid text,
// random bytes, and the hostile cases of issue 11. Pure: no I/O.
import type { Random } from './random.ts';

export type Kind = 'desired' | 'cmd';

export interface FuzzCase {
  /** The family of mutation, for the per-family figures (`fuzz.family.<name>`). */
  readonly family: string;
  readonly kind: Kind;
  readonly bytes: Uint8Array;
  readonly retain?: boolean;
  /** Acceptable reply codes ('ok' for ok:true); null: any documented code but `internal`. */
  readonly expect: readonly string[] | null;
  /** The id a reply must echo (valid command ids only). */
  readonly id?: string;
}

/** The newest possible version: nothing a fuzzer sends can be newer, so nothing it sends applies. */
export const MAX_VERSION = Number.MAX_SAFE_INTEGER;
const RELAYS = ['203.0.113.25', '2001:db8:ff::25'];

/** The desired state the fuzzed router enforces (applied before the flood). */
export function baseDesired(): Record<string, unknown> {
  return { version: MAX_VERSION, enabled: true, action: 'reject', allow: RELAYS, ports: [25] };
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

type Mutation = readonly [field: string, value: unknown, codes: readonly string[]];

const DESIRED_MUTATIONS: readonly Mutation[] = [
  ['version', -1, ['invalid_version']],
  ['version', 1.5, ['invalid_version']],
  ['version', '9', ['invalid_version']],
  ['version', null, ['invalid_version']],
  ['version', 2 ** 53, ['invalid_version']],
  ['version', [], ['invalid_version']],
  ['version', 7, ['stale_version']],
  ['version', 0, ['stale_version']],
  ['enabled', 'true', ['invalid_enabled']],
  ['enabled', 1, ['invalid_enabled']],
  ['enabled', null, ['invalid_enabled']],
  ['enabled', false, ['version_conflict']],
  ['action', 'accept', ['invalid_action']],
  ['action', 'DROP', ['invalid_action']],
  ['action', 7, ['invalid_action']],
  ['action', null, ['invalid_action']],
  ['action', 'drop', ['version_conflict']],
  ['allow', '203.0.113.25', ['invalid_list']],
  ['allow', null, ['invalid_list']],
  ['allow', { 0: '203.0.113.25' }, ['invalid_list']],
  ['allow', ['203.0.113.25/33'], ['invalid_address']],
  ['allow', ['203.0.113.1/24'], ['invalid_address']],
  ['allow', ['0.0.0.0/0'], ['invalid_address']],
  ['allow', ['::/0'], ['invalid_address']],
  ['allow', ['::ffff:203.0.113.25'], ['invalid_address']],
  ['allow', ['999.0.113.25'], ['invalid_address']],
  ['allow', ['2001:db8::1::1'], ['invalid_address']],
  ['allow', [''], ['invalid_address']],
  ['allow', [25], ['invalid_address']],
  ['allow', [null], ['invalid_address']],
  ['allow', [{ toString: '203.0.113.25' }], ['invalid_address']],
  ['allow', [['203.0.113.25']], ['invalid_address']],
  ['allow', ['203.0.113.25 '], ['invalid_address']],
  ['allow', ['203.0.113.025'], ['invalid_address']],
  ['allow', [], ['version_conflict']],
  ['ports', [0], ['invalid_port']],
  ['ports', [65536], ['invalid_port']],
  ['ports', ['25'], ['invalid_port']],
  ['ports', [25.5], ['invalid_port']],
  ['ports', [-25], ['invalid_port']],
  ['ports', [null], ['invalid_port']],
  ['ports', [{ valueOf: 25 }], ['invalid_port']],
  ['ports', [], ['invalid_list']],
  ['ports', 25, ['invalid_list']],
  ['ports', [25, 465], ['version_conflict']],
  ['Enabled', true, ['unknown_field']],
  ['__proto__', {}, ['unknown_field']],
  ['constructor', 1, ['unknown_field']],
  ['sub', 'another-router', ['wrong_device']],
  ['exp', 1, ['expired']],
  ['nbf', 4102444800, ['not_yet_valid']],
];

const COMMAND_MUTATIONS: readonly Mutation[] = [
  ['id', '', ['invalid_id']],
  ['id', 'x'.repeat(65), ['invalid_id']],
  ['id', 'a b', ['invalid_id']],
  ['id', 'ä', ['invalid_id']],
  ['id', 42, ['invalid_id']],
  ['id', null, ['invalid_id']],
  ['op', 'VERIFY', ['unknown_op']],
  ['op', 'delete', ['unknown_op']],
  ['op', 'verify ', ['unknown_op']],
  ['op', 1, ['unknown_op']],
  ['op', null, ['unknown_op']],
  ['op', ['verify'], ['unknown_op']],
  ['exp', 4102444800, ['expiry_too_far']],
  ['exp', 1, ['expired']],
  ['nbf', 4102444800, ['not_yet_valid']],
  ['sub', 'another-router', ['wrong_device']],
  ['Op', 'verify', ['unknown_field']],
  ['args', {}, ['unknown_field']],
];

/** Not JSON by RFC 8259 (issue 11: QuickJS's JSON.parse takes some of them). */
const NOT_JSON: readonly string[] = [
  `{"version":${MAX_VERSION}.,"enabled":true}`,
  `{"version":-01,"enabled":true}`,
  `{"version":${MAX_VERSION},"enabled":true,}`,
  `{'version':${MAX_VERSION},'enabled':true}`,
  `{"version":${MAX_VERSION},"enabled":tru}`,
  `{"version":0x10,"enabled":true}`,
  `{"version":${MAX_VERSION},"enabled":true,"action":"\\x72eject"}`,
  `{"version":${MAX_VERSION},"enabled":true}garbage`,
  `{"version":Infinity,"enabled":true}`,
  `{"version":NaN,"enabled":true}`,
  `{"version":${MAX_VERSION},/*c*/"enabled":true}`,
  '',
  ' ',
  '{',
  '}',
  'null{}',
];
const NOT_OBJECTS: readonly string[] = ['[]', '1', '"x"', 'null', 'true', '[{}]'];

function withField(base: Record<string, unknown>, field: string, value: unknown): string {
  // Built as text so that keys such as "__proto__" become real JSON members.
  const members = Object.entries(base)
    .filter(([k]) => k !== field)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  members.push(`${JSON.stringify(field)}:${JSON.stringify(value)}`);
  return `{${members.join(',')}}`;
}

function nested(depth: number): string {
  return `${'['.repeat(depth)}"203.0.113.25"${']'.repeat(depth)}`;
}

/** Flips, inserts, deletes or duplicates a few bytes of `source`. */
export function havoc(random: Random, source: Uint8Array): Uint8Array {
  const bytes = [...source];
  const edits = 1 + random.int(4);
  for (let e = 0; e < edits; e++) {
    const at = random.int(bytes.length + 1);
    switch (random.int(5)) {
      case 0:
        if (bytes.length) {
          const i = Math.min(at, bytes.length - 1);
          bytes[i] = bytes[i]! ^ (1 << random.int(8));
        }
        break;
      case 1:
        bytes.splice(
          at,
          0,
          random.pick([0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x5c, 0x00, 0xff, 0xc3]),
        );
        break;
      case 2:
        bytes.splice(at, 1 + random.int(8));
        break;
      case 3:
        bytes.splice(at, 0, ...bytes.slice(random.int(bytes.length + 1)).slice(0, 16));
        break;
      default:
        bytes.splice(at, 0, ...random.bytes(1 + random.int(6)));
    }
  }
  return Uint8Array.from(bytes);
}

export interface CaseGenerator {
  /** The next case for `kind`; `command(id)` is the valid command to mutate. */
  next(kind: Kind): FuzzCase;
}

/**
 * Unsigned cases, JSON text as the router takes it without a verification key. `device` is the
 * router's id; command ids are fresh per case (`<prefix>-<n>`) so a valid one is never `replayed`.
 */
export function unsignedGenerator(random: Random, idPrefix: string): CaseGenerator {
  let n = 0;
  const command = (): Record<string, unknown> => ({ id: `${idPrefix}-${++n}`, op: 'verify' });
  const base = (kind: Kind) => (kind === 'desired' ? baseDesired() : command());
  return {
    next(kind) {
      const mutations = kind === 'desired' ? DESIRED_MUTATIONS : COMMAND_MUTATIONS;
      const roll = random.int(100);
      if (roll < 55) {
        const [field, value, codes] = random.pick(mutations);
        return {
          family: `field.${field}`,
          kind,
          bytes: text(withField(base(kind), field, value)),
          expect: codes,
        };
      }
      if (roll < 60) {
        const body = base(kind);
        const id = typeof body.id === 'string' ? body.id : undefined;
        return {
          family: 'valid',
          kind,
          bytes: text(JSON.stringify(body)),
          expect: ['ok'],
          ...(id && { id }),
        };
      }
      if (roll < 68)
        return {
          family: 'not_json',
          kind,
          bytes: text(random.pick(NOT_JSON)),
          expect: ['malformed_json'],
        };
      if (roll < 72)
        return {
          family: 'not_object',
          kind,
          bytes: text(random.pick(NOT_OBJECTS)),
          expect: ['malformed_json'],
        };
      if (roll < 78) {
        const whole = text(JSON.stringify(base(kind)));
        return {
          family: 'truncated',
          kind,
          bytes: whole.slice(0, random.int(whole.length)),
          expect: ['malformed_json'],
        };
      }
      if (roll < 93)
        return {
          family: 'havoc',
          kind,
          bytes: havoc(random, text(JSON.stringify(base(kind)))),
          expect: null,
        };
      return { family: 'random_bytes', kind, bytes: random.bytes(random.int(300)), expect: null };
    },
  };
}

/** The hostile cases of issue 11 (each once per run), for `desired` unless said otherwise. */
export function hostileCases(idPrefix: string): FuzzCase[] {
  const d = baseDesired();
  const pad = (size: number): Uint8Array => {
    const body = JSON.stringify(d);
    return text(body + ' '.repeat(size - body.length));
  };
  return [
    { family: 'hostile.size_16384', kind: 'desired', bytes: pad(16384), expect: ['ok'] },
    {
      family: 'hostile.size_16385',
      kind: 'desired',
      bytes: pad(16385),
      expect: ['payload_too_large'],
    },
    {
      family: 'hostile.cmd_16385',
      kind: 'cmd',
      bytes: text(`{"id":"${idPrefix}-big","op":"verify"}`.padEnd(16385)),
      expect: ['payload_too_large'],
    },
    {
      family: 'hostile.ff_70000',
      kind: 'desired',
      bytes: new Uint8Array(70000).fill(0xff),
      expect: ['payload_too_large'],
    },
    {
      family: 'hostile.nested_150',
      kind: 'desired',
      bytes: text(`{"version":${MAX_VERSION},"enabled":true,"allow":[${nested(150)}]}`),
      expect: ['malformed_json', 'invalid_address'],
    },
    {
      family: 'hostile.nested_10000',
      kind: 'desired',
      bytes: text(`{"version":${MAX_VERSION},"enabled":true,"allow":[${nested(8000)}]}`),
      expect: ['malformed_json', 'invalid_address'],
    },
    {
      family: 'hostile.toString',
      kind: 'desired',
      bytes: text(withField(d, 'allow', [{ toString: '203.0.113.25' }])),
      expect: ['invalid_address'],
    },
    {
      family: 'hostile.allow_257',
      kind: 'desired',
      bytes: text(
        withField(
          d,
          'allow',
          Array.from({ length: 257 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
        ),
      ),
      expect: ['list_too_long'],
    },
    {
      family: 'hostile.stale_allow_256',
      kind: 'desired',
      bytes: text(
        withField(
          { ...d, version: 3 },
          'allow',
          Array.from({ length: 256 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
        ),
      ),
      expect: ['stale_version'],
    },
    {
      family: 'hostile.version_3_dot',
      kind: 'desired',
      bytes: text('{"version":3.,"enabled":true}'),
      expect: ['malformed_json'],
    },
    {
      family: 'hostile.escaped_verify',
      kind: 'cmd',
      bytes: text(`{"id":"${idPrefix}-esc","op":"\\x76erify"}`),
      expect: ['malformed_json'],
    },
    {
      family: 'hostile.minus_01',
      kind: 'desired',
      bytes: text('{"version":-01,"enabled":true}'),
      expect: ['malformed_json'],
    },
    {
      family: 'hostile.invalid_utf8_string',
      kind: 'desired',
      bytes: Uint8Array.from([
        ...text('{"version":1,"enabled":true,"action":"'),
        0xff,
        0xfe,
        ...text('"}'),
      ]),
      expect: ['malformed_json', 'invalid_action', 'stale_version'],
    },
  ];
}
