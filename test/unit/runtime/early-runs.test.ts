// runtime/early-runs.ts: a run started early is handed to the first run() of the same argv, once,
// and to nothing else; an unused or failed early run never surfaces.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withEarlyRuns } from '../../../agent/runtime/early-runs.ts';
import { fakeRuntime } from '../openwrt/fake-runtime.ts';

const LIST = ['nft', '-j', 'list', 'table', 'inet', 'op25b'];

test('the first run of the same argv takes the early result; the next one runs again', async () => {
  const base = fakeRuntime();
  let calls = 0;
  base.answer('nft -j list', () => ({ code: 0, stdout: `listing ${++calls}` }));
  const early = withEarlyRuns(base);
  early.start(LIST);
  early.start(LIST); // already started: not twice
  assert.is(base.runs.length, 1);
  assert.is((await early.runtime.run(LIST)).stdout, 'listing 1');
  assert.is(base.runs.length, 1, 'no second program for the first consumer');
  assert.is((await early.runtime.run(LIST)).stdout, 'listing 2');
  assert.is(base.runs.length, 2);
});

test('another argv, stdin or a timeout of its own runs the program anew', async () => {
  const base = fakeRuntime();
  base.answer('nft', (argv) => ({ code: 0, stdout: argv.join(' ') }));
  const early = withEarlyRuns(base);
  early.start(LIST);
  await early.runtime.run(['nft', '-j', 'list', 'ruleset']);
  await early.runtime.run(LIST, { stdin: 'x' });
  await early.runtime.run(LIST, { timeoutMs: 5 });
  assert.is(base.runs.length, 4);
  assert.is((await early.runtime.run(LIST)).stdout, LIST.join(' '));
  assert.is(base.runs.length, 4, 'the early run was still there for a plain run()');
});

test('an early run with a timeout goes to the run() with that timeout only', async () => {
  const base = fakeRuntime();
  base.answer('ubus', () => ({ code: 0, stdout: 'dump' }));
  const early = withEarlyRuns(base);
  const DUMP = ['ubus', '-S', '-t', '5', 'call', 'network.interface', 'dump'];
  early.start(DUMP, 7000);
  assert.equal(base.runs[0]!.options, { timeoutMs: 7000 }, 'started with its timeout');
  await early.runtime.run(DUMP);
  await early.runtime.run(DUMP, { timeoutMs: 5000 });
  assert.is(base.runs.length, 3, 'another timeout (or none) runs anew');
  await early.runtime.run(DUMP, { timeoutMs: 7000 });
  assert.is(base.runs.length, 3, 'the same timeout takes the early result');
});

test('an early run that fails and is never used is no unhandled rejection', async () => {
  const base = fakeRuntime();
  const early = withEarlyRuns({ ...base, run: () => Promise.reject(new Error('os.pipe failed')) });
  let unhandled = 0;
  const count = () => unhandled++;
  process.on('unhandledRejection', count);
  early.start(LIST);
  await new Promise((resolve) => setTimeout(resolve, 10));
  process.off('unhandledRejection', count);
  assert.is(unhandled, 0);
  // A consumer still learns of the failure.
  try {
    await early.runtime.run(LIST);
    assert.unreachable('must reject');
  } catch (error) {
    assert.match(String(error), /os\.pipe failed/);
  }
});

test.run();
