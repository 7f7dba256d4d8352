// The Last Will of the MQTT layer under QuickJS, against a real mosquitto: a clean end or a
// SIGTERM sends DISCONNECT (no Will); a SIGKILL leaves the Will to the broker and no socat behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRIAL_BUNDLE } from '../qjs/build-trial.ts';
import { childPids, isRunning } from './processes.ts';
import { brokerRig } from './qjs-broker-rig.ts';
import { startTrial } from './trial.ts';
import { closeEvent } from './trial-checks.ts';
import { sleep, waitFor } from './waits.ts';

const rig = brokerRig(test);
const { ports, watcher } = rig;

test('clean DISCONNECT: end() sends DISCONNECT, so the Last Will is not published', async () => {
  const willTopic = 'op25b/will/clean';
  const watch = await watcher(willTopic);
  const trial = startTrial(TRIAL_BUNDLE, 'connect', [
    '--broker', `mqtt://127.0.0.1:${ports.plain}`, '--client-id', 'clean-1',
    '--will-topic', willTopic, '--will-payload', 'offline',
  ]); // prettier-ignore
  assert.is((await trial.exit()).code, 0);
  assert.equal(closeEvent(trial.events).requested, true);
  await sleep(500);
  assert.equal(watch.messages, []);
  // mosquitto logs "disconnected." for a DISCONNECT, "closed its connection." otherwise.
  assert.match(rig.broker().log(), /Client clean-1 disconnected\./);
});

test('SIGTERM in idle: the trial ends cleanly (DISCONNECT), no Will', async () => {
  const willTopic = 'op25b/will/term';
  const watch = await watcher(willTopic);
  const trial = startTrial(TRIAL_BUNDLE, 'idle', [
    '--broker', `mqtt://127.0.0.1:${ports.plain}`, '--client-id', 'term-1',
    '--will-topic', willTopic,
  ]); // prettier-ignore
  await trial.next('ready');
  trial.kill('SIGTERM');
  assert.is((await trial.exit()).code, 0);
  await sleep(300);
  assert.equal(watch.messages, []);
  assert.match(rig.broker().log(), /Client term-1 disconnected\./);
});

test('Last Will: delivered when qjs is killed with SIGKILL; socat does not linger', async () => {
  const willTopic = 'op25b/will/killed';
  const watch = await watcher(willTopic);
  const trial = startTrial(TRIAL_BUNDLE, 'idle', [
    '--broker', `mqtt://127.0.0.1:${ports.plain}`, '--client-id', 'kill-1',
    '--will-topic', willTopic, '--will-payload', 'router-1 offline', '--protocol', '5',
  ]); // prettier-ignore
  await trial.next('ready');
  const [socat] = childPids(trial.pid);
  assert.ok(socat !== undefined && isRunning(socat), 'socat runs as the child of qjs');
  trial.kill('SIGKILL');
  await waitFor('the will', () => (watch.messages.length > 0 ? true : undefined), 5000);
  assert.equal(watch.messages, [{ topic: willTopic, payload: 'router-1 offline' }]);
  await waitFor('socat to exit', () => (isRunning(socat!) ? undefined : true), 3000);
});

test.run();
