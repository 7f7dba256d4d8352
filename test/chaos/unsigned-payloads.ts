// Unsigned fuzz cases, JSON text as the router takes it without a verification key: mutated
// fields, texts that are not JSON or not objects, truncations, havoc and random bytes. Pure.
import { baseDesired, type CaseGenerator, type Kind } from './fuzz-case.ts';
import { havoc } from './havoc.ts';
import { text, withField } from './json-text.ts';
import { COMMAND_MUTATIONS, DESIRED_MUTATIONS, NOT_JSON, NOT_OBJECTS } from './mutations.ts';
import type { Random } from './random.ts';

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
