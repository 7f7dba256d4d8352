// Checks on what an MQTT trial under qjs (test/qjs/mqtt-trial.ts) reported, shared by the
// qjs-*-broker tests.
import * as assert from 'uvu/assert';
import { TRIAL_BUNDLE } from '../qjs/build-trial.ts';
import { startTrial, type TrialEvent } from './helpers.ts';

export interface CloseEvent {
  connected: boolean;
  requested: boolean;
  error: { code: string | number | null; message: string } | null;
}

/** The trial's one close event (a second one would be a bug). */
export function closeEvent(events: TrialEvent[]): CloseEvent {
  const close = events.filter((e) => e.event === 'close');
  assert.is(close.length, 1, `exactly one close event: ${JSON.stringify(events)}`);
  return close[0] as never;
}

/**
 * An idle trial whose connection must stay up while `quiet` runs (keepalive doing its work),
 * and then end cleanly on SIGTERM.
 */
export async function staysConnected(args: string[], quiet: () => Promise<unknown>): Promise<void> {
  const trial = startTrial(TRIAL_BUNDLE, 'idle', args);
  await trial.next('ready');
  await quiet();
  assert.not.ok(
    trial.events.some((e) => e.event === 'close'),
    JSON.stringify(trial.events),
  );
  trial.kill('SIGTERM');
  await trial.exit();
  assert.equal(closeEvent(trial.events).error, null);
}

/** A `roundtrip` trial (subscribe, publish QoS 1, receive it, clean end) that must succeed. */
export async function roundTrip(broker: string, extra: string[] = []): Promise<TrialEvent[]> {
  const topic = `op25b/rt/${Math.random().toString(36).slice(2)}`;
  const trial = startTrial(TRIAL_BUNDLE, 'roundtrip', [
    '--broker',
    broker,
    '--topic',
    topic,
    ...extra,
  ]);
  const { code } = await trial.exit();
  assert.is(code, 0, trial.stderr());
  const names = trial.events.map((e) => e.event);
  for (const name of ['connect', 'subscribed', 'published', 'message', 'close', 'ended'])
    assert.ok(names.includes(name), `${name} in ${JSON.stringify(trial.events)}`);
  const message = trial.events.find((e) => e.event === 'message')!;
  assert.equal([message.topic, message.qos], [topic, 1]);
  if (!extra.includes('--payload-size')) assert.is(message.payload, 'hello');
  assert.equal(trial.events.find((e) => e.event === 'subscribed')!.granted, [1]);
  const close = closeEvent(trial.events);
  assert.equal([close.connected, close.requested, close.error], [true, true, null]);
  return trial.events;
}
