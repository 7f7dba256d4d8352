// Checks what the running agent published (presence, status, replies) against the JSON Schemas
// in schemas/, with the validator of contract/validate.ts. Both are optional: without them
// the check says so and passes (the schemas arrived after this suite was written).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as assert from 'uvu/assert';
import type { MqttMessage } from '../testbed/index.ts';

const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));
const VALIDATOR = fileURLToPath(new URL('../../contract/validate.ts', import.meta.url));

/** The agent's topics and the schema (message kind) of each. */
const KINDS = { state: 'state', status: 'status', reply: 'reply' } as const;

interface Validator {
  validateMessage(kind: string, document: unknown): { valid: boolean; errors: string[] };
  validateSignedMessage(
    kind: 'desired' | 'command',
    token: string,
  ): { valid: boolean; errors: string[] };
}

let loaded: Promise<Validator | null> | null = null;

/** The validator, or null when schemas/ or the validator module is missing. */
export function schemaValidator(): Promise<Validator | null> {
  loaded ??= (async () => {
    const files = Object.values(KINDS).map((kind) => `${SCHEMA_DIR}${kind}.schema.json`);
    if (!existsSync(VALIDATOR) || !files.every((f) => existsSync(f))) return null;
    return (await import(pathToFileURL(VALIDATOR).href)) as Validator;
  })();
  return loaded;
}

/**
 * Validates every message on the router's state, status and reply topics. Fails listing every
 * invalid one; with no schemas, logs that the check was skipped.
 */
export async function expectMessagesMatchSchemas(
  messages: readonly MqttMessage[],
  deviceId: string,
): Promise<number> {
  const validator = await schemaValidator();
  if (!validator) {
    console.log('  (schemas/*.schema.json or contract/validate.ts missing: check skipped)');
    return 0;
  }
  const problems: string[] = [];
  let checked = 0;
  for (const message of messages) {
    const match = /^(.+)\/([^/]+)\/([^/]+)$/.exec(message.topic);
    if (!match || match[2] !== deviceId) continue;
    const kind = KINDS[match[3] as keyof typeof KINDS];
    if (!kind) continue;
    checked++;
    let document: unknown;
    try {
      document = JSON.parse(message.payload);
    } catch {
      problems.push(`${message.topic}: not JSON: ${message.payload.slice(0, 200)}`);
      continue;
    }
    const { valid, errors } = validator.validateMessage(kind, document);
    if (!valid)
      problems.push(
        `${message.topic} ${message.payload.slice(0, 300)}\n    ${errors.join('\n    ')}`,
      );
  }
  assert.ok(checked > 0, 'no agent messages to check');
  console.log(`  (${checked} messages checked against schemas/)`);
  assert.ok(
    problems.length === 0,
    `messages that do not match their schema:\n  ${problems.join('\n  ')}`,
  );
  return checked;
}

/** Validates a signed desired state or command made by the ISP's tools, when schemas exist. */
export async function expectSignedMatchesSchema(
  kind: 'desired' | 'command',
  token: string,
): Promise<void> {
  const validator = await schemaValidator();
  if (!validator) return;
  const { valid, errors } = validator.validateSignedMessage(kind, token);
  assert.ok(valid, `signed ${kind} does not match its schema:\n  ${errors.join('\n  ')}`);
}
