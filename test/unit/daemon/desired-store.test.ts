import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DESIRED_FILE,
  loadDesired,
  removeLeftovers,
  saveDesired,
} from '../../../agent/daemon/desired-store.ts';
import { errorObject } from '../../../agent/remote/messages.ts';
import { desiredFromObject } from '../../../agent/remote/desired-state.ts';
import { inputError } from '../helpers.ts';
import { clockRuntime } from './fake-clock.ts';

const DIR = '/etc/op25b';
const PATH = `${DIR}/${DESIRED_FILE}`;

test('nothing stored: null', () => {
  assert.is(loadDesired(clockRuntime(), DIR), null);
});

test('a stored state is read and validated like a message', () => {
  const runtime = clockRuntime();
  runtime.files.set(PATH, '{"version":4,"enabled":true,"allow":["2001:DB8::/32"]}\n');
  assert.equal(loadDesired(runtime, DIR), {
    version: 4,
    enabled: true,
    allow: ['2001:db8::/32'],
  });
});

test('a corrupt file is an InputError (corrupt_state), never a crash', () => {
  for (const text of ['', '{', 'null', '[]', '"x"', '42']) {
    const runtime = clockRuntime();
    runtime.files.set(PATH, text);
    assert.is(inputError(() => loadDesired(runtime, DIR)).code, 'corrupt_state', text);
  }
});

test('a stored state that no longer validates names the field', () => {
  const runtime = clockRuntime();
  runtime.files.set(PATH, '{"version":4,"enabled":true,"colour":"red"}');
  assert.is(inputError(() => loadDesired(runtime, DIR)).code, 'unknown_field');
});

test('save writes JSON and a newline, then syncs the file and its directory', async () => {
  const runtime = clockRuntime();
  const desired = desiredFromObject({ version: 9, enabled: false, ports: [25, 587] });
  await saveDesired(runtime, DIR, desired);
  assert.is(runtime.files.get(PATH), '{"version":9,"enabled":false,"ports":[25,587]}\n');
  assert.equal(runtime.runs, [['sync', PATH, DIR]]);
  assert.equal(loadDesired(runtime, DIR), desired);
});

test('a failed sync is an error, so the state is not acknowledged', async () => {
  const runtime = clockRuntime();
  runtime.answer = () => ({ code: 1, stderr: 'sync: Input/output error\n' });
  let error: unknown;
  try {
    await saveDesired(runtime, DIR, desiredFromObject({ version: 1, enabled: true }));
  } catch (e) {
    error = e;
  }
  assert.instance(error, Error);
  assert.match(String(error), 'sync failed: sync: Input/output error');
  assert.is(errorObject(error).code, 'storage_failed');
});

test('a failed write is storage_failed with the system reason, for the reply and the status', async () => {
  const runtime = clockRuntime();
  runtime.writeTextAtomic = () => {
    throw new Error(`cannot write ${PATH}.tmp-x: No space left on device`);
  };
  let error: unknown;
  try {
    await saveDesired(runtime, DIR, desiredFromObject({ version: 1, enabled: true }));
  } catch (e) {
    error = e;
  }
  assert.equal(errorObject(error), {
    code: 'storage_failed',
    message: `cannot write ${PATH}.tmp-x: No space left on device`,
  });
  assert.equal(runtime.runs, []); // nothing to sync
});

test('leftover temporary files of an interrupted write are removed, nothing else', () => {
  const runtime = clockRuntime();
  runtime.files.set(PATH, '{"version":1,"enabled":true}\n');
  runtime.files.set(`${PATH}.tmp-mabc-0`, '');
  runtime.files.set(`${PATH}.tmp-mabd-3`, '{"vers');
  runtime.files.set(`${DIR}/other.tmp-1`, 'x');
  runtime.files.set(`${DIR}/sub/${DESIRED_FILE}.tmp-1`, 'x');
  assert.equal(removeLeftovers(runtime, DIR).sort(), [
    `${DESIRED_FILE}.tmp-mabc-0`,
    `${DESIRED_FILE}.tmp-mabd-3`,
  ]);
  assert.equal([...runtime.files.keys()].sort(), [
    PATH,
    `${DIR}/other.tmp-1`,
    `${DIR}/sub/${DESIRED_FILE}.tmp-1`,
  ]);
});

test.run();
