// Shared helpers for the unit tests (not a test file itself: uvu only runs *.test.ts).
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { InputError } from '../../agent/input-error.ts';
import { parsePolicy, type RawPolicy } from '../../agent/policy/parse-policy.ts';
import type { Policy } from '../../agent/policy/policy.ts';

/** A file under test/unit/fixtures/, as text. */
export function fixture(path: string): string {
  return readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');
}

/** A valid policy, built the only way the agent builds one. */
export function policy(raw: RawPolicy = {}): Policy {
  return parsePolicy(raw);
}

/** Runs `fn`, which must throw an InputError, and returns that error. */
export function inputError(fn: () => unknown): InputError {
  let thrown: unknown = undefined;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  assert.instance(thrown, InputError, `expected an InputError, got ${String(thrown)}`);
  return thrown as InputError;
}

/** Asserts that `fn` throws an InputError with this code whose message names `value`. */
export function rejects(fn: () => unknown, code: string, value: unknown): InputError {
  const error = inputError(fn);
  assert.is(error.code, code);
  const quoted = JSON.stringify(typeof value === 'string' ? value : String(value));
  assert.ok(
    error.message.includes(quoted),
    `message ${JSON.stringify(error.message)} should contain ${quoted}`,
  );
  return error;
}
