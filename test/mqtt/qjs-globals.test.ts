// agent/runtime/quickjs/globals.ts under dist/qjs (test/qjs/globals-check.ts does the checking).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildTrial, GLOBALS_CHECK_BUNDLE } from '../qjs/build-trial.ts';
import { QJS } from './helpers.ts';

test('Object.hasOwn installed, existing globals kept, no MQTT.js-era globals; rooted timers', async () => {
  assert.ok(existsSync(QJS), `${QJS} is missing: run npm run build first`);
  await buildTrial();
  const run = spawnSync(QJS, [GLOBALS_CHECK_BUNDLE], { encoding: 'utf8', timeout: 5000 });
  assert.is(run.status, 0, run.stderr);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(lines.at(-1), { done: true }, run.stdout);
  assert.equal(
    lines.filter((line) => line.check !== undefined && line.ok !== true),
    [],
  );
  assert.is(lines.length, 8, run.stdout);
  assert.is(run.stderr, '');
});

test.run();
