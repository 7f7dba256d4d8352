import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleForQjs, QJS } from '../qjs/bundle.ts';
import type { Observations } from './contract.ts';
import { assertContract } from './expectations.ts';

test('the QuickJS runtime, under dist/qjs, fulfils the runtime contract', async () => {
  const bundle = await bundleForQjs('test/qjs/runtime-contract-main.ts');
  const scratch = mkdtempSync(join(tmpdir(), 'op25b-contract-'));
  try {
    const { stdout } = await promisify(execFile)(QJS, [bundle, scratch], {
      env: { ...process.env, OP25B_CONTRACT: 'yes' },
      timeout: 20_000,
    });
    const observations = JSON.parse(stdout) as Observations;
    assert.is(observations.name, 'quickjs');
    assertContract(observations, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test.run();
