// Strict Ed25519 where routers verify: the cases of test/unit/remote/forgeries.ts (small-order
// and non-canonical keys, the forged token R = B, S = 1, small-order and non-canonical R,
// S >= L, kid selection in a JWK Set) through the agent's own code bundled for QuickJS
// (test/qjs/verify-trial.ts) under dist/qjs, whose BigInt arithmetic is not Node's.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildTrial, VERIFY_TRIAL_BUNDLE } from '../qjs/build-trial.ts';
import { strictCases } from '../unit/remote/forgeries.ts';
import { QJS, tempDir } from './helpers.ts';

const dir = tempDir();

test.before(async () => {
  await buildTrial();
});

test.after(() => dir.remove());

test('under dist/qjs every strict case gives its expected outcome', () => {
  const cases = strictCases({ version: 5, enabled: false, sub: 'cpe-0001', exp: 2_000_000_000 });
  const file = join(dir.path, 'cases.json');
  writeFileSync(file, JSON.stringify(cases.map(({ keyFile, token }) => ({ keyFile, token }))));
  const out = execFileSync(QJS, [VERIFY_TRIAL_BUNDLE, file], { encoding: 'utf8', timeout: 60_000 });
  const outcomes = JSON.parse(out) as string[];
  assert.is(outcomes.length, cases.length);
  const problems = cases
    .map((c, i) => ({ ...c, got: outcomes[i] }))
    .filter((c) => c.got !== c.expect)
    .map((c) => `${c.label}: expected ${c.expect}, got ${c.got}`);
  assert.equal(problems, []);
  assert.ok(outcomes.includes('ok') && outcomes.includes('bad_signature'));
});

test.run();
