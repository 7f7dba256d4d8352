import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createNodeRuntime } from '../../agent/runtime/node/runtime.ts';
import { observeRuntime } from './contract.ts';
import { assertContract } from './expectations.ts';

test('the Node runtime fulfils the runtime contract', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'op25b-contract-'));
  process.env.OP25B_CONTRACT = 'yes';
  try {
    const observations = await observeRuntime(createNodeRuntime([]), scratch);
    assert.is(observations.name, 'node');
    assertContract(observations, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test.run();
