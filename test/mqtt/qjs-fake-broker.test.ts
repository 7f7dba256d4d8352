// The MQTT layer under QuickJS against scripted brokers (fakeBroker: a TCP server that says
// what a test needs, or nothing): a broker that is down, silent, drops the connection, stops
// answering, sends DISCONNECT or packets of 268 MB. The trial (test/qjs/mqtt-trial.ts) runs
// under dist/qjs. Needs `npm run build` (dist/qjs) and socat; qjs-broker.test.ts has the
// real mosquitto.
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildTrial, TRIAL_BUNDLE } from '../qjs/build-trial.ts';
import {
  cpuTicks,
  fakeBroker,
  freePort,
  peakRssKb,
  QJS,
  sleep,
  startTrial,
  waitFor,
} from './helpers.ts';
import { closeEvent } from './trial-checks.ts';

/** An MQTT 3.1.1 CONNACK, session not present, return code 0. */
const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);

test.before(async () => {
  assert.ok(existsSync(QJS), `${QJS} is missing: run npm run build first`);
  await buildTrial();
});

test('broker down (port closed): failure reported at once, no retry, qjs exits', async () => {
  const port = await freePort();
  const trial = startTrial(TRIAL_BUNDLE, 'connect', ['--broker', `mqtt://127.0.0.1:${port}`]);
  const { code, ms } = await trial.exit(5000);
  assert.is(code, 0);
  assert.ok(ms < 2000, `took ${ms} ms`);
  const close = closeEvent(trial.events);
  assert.equal(
    [close.connected, close.requested, close.error?.code],
    [false, false, 'ECONNREFUSED'],
  );
});

test('broker silent (no CONNACK): connect timeout, one attempt, no spinning', async () => {
  const silent = await fakeBroker(() => {});
  try {
    const trial = startTrial(TRIAL_BUNDLE, 'connect', [
      '--broker', `mqtt://127.0.0.1:${silent.port}`, '--connect-timeout', '1500',
    ]); // prettier-ignore
    await waitFor('the connection', () => (silent.connections.length > 0 ? true : undefined));
    const before = cpuTicks(trial.pid);
    await sleep(1000);
    const spent = cpuTicks(trial.pid) - before;
    assert.ok(spent <= 5, `qjs used ${spent} ticks of CPU in 1 s of waiting`);
    const { ms } = await trial.exit(5000);
    assert.ok(ms >= 1400 && ms < 4000, `took ${ms} ms`);
    const close = closeEvent(trial.events);
    assert.equal([close.connected, close.error?.message], [false, 'connack timeout']);
    await sleep(300);
    assert.is(silent.connections.length, 1, 'no second attempt');
  } finally {
    await silent.close();
  }
});

test('connection lost after CONNACK: reported as a close event, no reconnect', async () => {
  const flaky = await fakeBroker((socket) => {
    socket.once('data', () => {
      socket.write(CONNACK);
      setTimeout(() => socket.destroy(), 300);
    });
  });
  try {
    const trial = startTrial(TRIAL_BUNDLE, 'idle', ['--broker', `mqtt://127.0.0.1:${flaky.port}`]);
    await trial.next('connect');
    await trial.exit(5000);
    const close = closeEvent(trial.events);
    assert.equal(
      [close.connected, close.requested, close.error?.code],
      [true, false, 'ECLOSED'],
      JSON.stringify(trial.events),
    );
    assert.is(flaky.connections.length, 1, 'no second attempt');
  } finally {
    await flaky.close();
  }
});

test('broker stops answering: keepalive timeout closes the connection', async () => {
  const mute = await fakeBroker((socket) => socket.once('data', () => socket.write(CONNACK)));
  try {
    const trial = startTrial(TRIAL_BUNDLE, 'wait', [
      '--broker', `mqtt://127.0.0.1:${mute.port}`, '--keepalive', '1',
    ]); // prettier-ignore
    await trial.next('connect');
    const { ms } = await trial.exit(6000);
    const close = closeEvent(trial.events);
    assert.equal(
      [close.connected, close.requested, close.error?.message],
      [true, false, 'Keepalive timeout'],
    );
    assert.ok(ms < 4000, `took ${ms} ms`);
    assert.is(mute.connections.length, 1, 'no second attempt');
  } finally {
    await mute.close();
  }
});

test('after a close, client.reconnect() makes one new attempt with a new transport', async () => {
  const flaky = await fakeBroker((socket) => {
    const first = flaky.connections.length === 1;
    socket.on('data', (data) => {
      if (data[0] === 0x10) socket.write(CONNACK); // CONNECT
      if (data[0] === 0xe0) socket.end(); // DISCONNECT
    });
    if (first) setTimeout(() => socket.destroy(), 300);
  });
  try {
    const trial = startTrial(TRIAL_BUNDLE, 'reconnect', [
      '--broker', `mqtt://127.0.0.1:${flaky.port}`, '--gc-stress', '1',
    ]); // prettier-ignore
    const { code } = await trial.exit(5000);
    assert.is(code, 0);
    assert.equal(
      trial.events.map((e) => (e.event === 'close' ? `close ${e.requested}` : e.event)),
      ['connect', 'close false', 'connect', 'close true', 'ended'],
    );
    assert.is(flaky.connections.length, 2);
  } finally {
    await flaky.close();
  }
});

test('MQTT 5: a DISCONNECT from the broker (server shutting down) is the close reason', async () => {
  // mosquitto 2.0.11 closes a taken-over session without a DISCONNECT: a scripted broker sends one.
  const connackV5 = Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]);
  const disconnect = Buffer.from([0xe0, 0x02, 0x8b, 0x00]); // 0x8B: server shutting down
  const leaving = await fakeBroker((socket) =>
    socket.once('data', () => {
      socket.write(connackV5);
      setTimeout(() => socket.end(disconnect), 200);
    }),
  );
  try {
    const trial = startTrial(TRIAL_BUNDLE, 'wait', [
      '--broker', `mqtt://127.0.0.1:${leaving.port}`, '--protocol', '5',
    ]); // prettier-ignore
    await trial.next('connect');
    await trial.exit(5000);
    const close = closeEvent(trial.events);
    assert.equal([close.connected, close.requested, close.error?.code], [true, false, 0x8b]);
    assert.match(close.error!.message, /DISCONNECT \(reason code 139\)/);
  } finally {
    await leaving.close();
  }
});

/** A scripted 3.1.1 broker: CONNACK, SUBACK, then `after(socket)`. */
function scripted(after: (socket: Socket) => void) {
  return fakeBroker((socket) => {
    socket.on('data', (data) => {
      if (data[0] === 0x10) socket.write(CONNACK);
      if (data[0] === 0x82) {
        socket.write(Buffer.from([0x90, 0x03, data[2]!, data[3]!, 0x01])); // SUBACK, QoS 1
        after(socket);
      }
    });
  });
}

/** Writes `total` bytes of 0xff in 64 KiB blocks, waiting for the socket to drain. */
async function stream(socket: Socket, total: number): Promise<void> {
  const block = Buffer.alloc(64 * 1024, 0xff);
  for (let sent = 0; sent < total && !socket.destroyed; sent += block.length)
    if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve));
}

const HUGE = [0xff, 0xff, 0xff, 0x7f]; // remaining length 268,435,455: MQTT's largest

test('a PUBLISH announcing 268 MB is read without holding it: its size arrives, RSS stays flat', async () => {
  let streamed: Promise<void> = Promise.resolve();
  const evil = await scripted((socket) => {
    const topic = Buffer.from('op25b/trial');
    socket.write(Buffer.from([0x31, ...HUGE, 0x00, topic.length, ...topic]));
    streamed = stream(socket, 32 * 1024 * 1024);
  });
  try {
    const trial = startTrial(TRIAL_BUNDLE, 'idle', ['--broker', `mqtt://127.0.0.1:${evil.port}`]);
    const message = await trial.next('message', 10_000);
    assert.equal([message.size, message.payload], [268_435_455 - 2 - 11, '']);
    await streamed;
    await sleep(200);
    const rssKb = peakRssKb(trial.pid);
    trial.kill('SIGTERM');
    await trial.exit(5000);
    assert.not.ok(trial.events.some((e) => e.event === 'close' && e.requested === false));
    console.log(`  32 MB of a 268 MB PUBLISH streamed through: qjs VmHWM ${rssKb} kB`);
    assert.ok(rssKb < 8 * 1024, `peak RSS ${rssKb} kB`);
  } finally {
    await evil.close();
  }
});

test('any other packet announcing 268 MB ends the connection (EPACKETSIZE), unread', async () => {
  const evil = await scripted((socket) => {
    socket.write(Buffer.from([0x90, ...HUGE, 0x00, 0x01]));
    void stream(socket, 8 * 1024 * 1024);
  });
  try {
    const trial = startTrial(TRIAL_BUNDLE, 'idle', ['--broker', `mqtt://127.0.0.1:${evil.port}`]);
    await trial.exit(10_000);
    const close = closeEvent(trial.events);
    assert.equal(
      [close.connected, close.requested, close.error?.code],
      [true, false, 'EPACKETSIZE'],
    );
  } finally {
    await evil.close();
  }
});

test.run();
