// The daemon's reconnect backoff under QuickJS (test/qjs/link-trial.ts runs agent/daemon/
// remote-link.ts under dist/qjs) against scripted brokers on 127.0.0.1 that accept the connection
// and then misbehave. The backoff may start again from reconnect_min only after a session that
// proved healthy; before, it reset at every CONNACK and such a broker got an attempt every 0..1 s
// for ever. The checks are on the schedule the link logs (its ceiling per retry) and on lower
// bounds of the gaps between connections, never on upper bounds of timings.
import type { Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildTrial, LINK_TRIAL_BUNDLE } from '../qjs/build-trial.ts';
import { fakeBroker, startTrial, type TrialEvent } from './helpers.ts';

const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);

test.before(async () => {
  await buildTrial();
});

interface Retry {
  readonly ceilingS: number;
  readonly delayMs: number;
  readonly reason: string;
}

function retries(events: readonly TrialEvent[]): Retry[] {
  return events.flatMap((e) => {
    const m = /^MQTT: (.*); reconnecting in (\d+) ms \(retry \d+, backoff up to (\d+) s\)$/.exec(
      String(e.message),
    );
    return m ? [{ reason: m[1]!, delayMs: Number(m[2]), ceilingS: Number(m[3]) }] : [];
  });
}

/** The SUBSCRIBE's packet id: after the fixed header's 1-byte type and 1..4-byte length. */
function packetId(data: Buffer): number {
  let i = 1;
  while (data[i]! & 0x80) i++;
  return data.readUInt16BE(i + 1);
}

/** Runs the link against a broker scripted by `onPacket` until it has scheduled `count` retries. */
async function runAgainst(
  onPacket: (socket: Socket, data: Buffer) => void,
  count: number,
  extra: string[] = [],
): Promise<{ retries: Retry[]; connectedAt: number[]; events: TrialEvent[] }> {
  const connectedAt: number[] = [];
  const broker = await fakeBroker((socket) => {
    connectedAt.push(performance.now());
    socket.on('data', (data) => onPacket(socket, data));
  });
  try {
    const trial = startTrial(LINK_TRIAL_BUNDLE, '', [
      '--broker', `mqtt://127.0.0.1:${broker.port}`, '--reconnect-min', '1',
      '--reconnect-max', '4', '--retries', String(count), ...extra,
    ]); // prettier-ignore
    // Bounded: the delays add up to at most 1 + 2 + 4 s; the rest is slack for a busy machine.
    const { code } = await trial.exit(30_000);
    assert.is(code, 0, trial.stderr());
    return { retries: retries(trial.events), connectedAt, events: trial.events };
  } finally {
    await broker.close();
  }
}

function expectGrowing(result: Awaited<ReturnType<typeof runAgainst>>, what: string): void {
  const log = JSON.stringify(result.events.map((e) => e.message));
  assert.equal(
    result.retries.map((r) => r.ceilingS),
    [1, 2, 4],
    `${what}: the backoff ceiling doubles per retry: ${log}`,
  );
  for (const r of result.retries) assert.ok(r.delayMs < r.ceilingS * 1000, `${what}: full jitter`);
  // Each new connection came no sooner than the delay the link announced for it.
  for (let i = 1; i < result.connectedAt.length; i++) {
    const gap = result.connectedAt[i]! - result.connectedAt[i - 1]!;
    assert.ok(gap >= result.retries[i - 1]!.delayMs - 5, `${what}: gap ${gap} ms, ${log}`);
  }
}

test('a broker that closes right after CONNACK: the delays grow', async () => {
  const result = await runAgainst((socket, data) => {
    if (data[0] === 0x10) socket.end(CONNACK);
  }, 3);
  expectGrowing(result, 'close after CONNACK');
  assert.match(result.retries[0]!.reason, /connection/);
});

test('a broker that refuses the subscription (SUBACK 0x80): the delays grow', async () => {
  const result = await runAgainst((socket, data) => {
    if (data[0] === 0x10) socket.write(CONNACK);
    if (data[0] === 0x82) {
      const id = packetId(data);
      socket.write(Buffer.from([0x90, 0x04, id >> 8, id & 0xff, 0x80, 0x80]));
    }
  }, 3);
  expectGrowing(result, 'failed SUBACK');
  assert.ok(
    result.events.some((e) => /subscribe failed/.test(String(e.message))),
    'the refusal is logged',
  );
});

test('a broker that answers CONNECT with garbage: the delays grow', async () => {
  const result = await runAgainst((socket, data) => {
    if (data[0] === 0x10) socket.write(Buffer.from([0x00, 0x02, 0x13, 0x37])); // packet type 0 is reserved
  }, 3);
  expectGrowing(result, 'garbage');
});

test('a session that stayed subscribed long enough resets the backoff', async () => {
  // Healthy after 300 ms (the daemon: 60 s); the broker closes each session 2 s after SUBACK.
  const healthy = (socket: Socket, data: Buffer): void => {
    if (data[0] === 0x10) socket.write(CONNACK);
    if (data[0] === 0x82) {
      const id = packetId(data);
      socket.write(Buffer.from([0x90, 0x04, id >> 8, id & 0xff, 0x01, 0x01]));
      setTimeout(() => socket.destroy(), 2000);
    }
  };
  const result = await runAgainst(healthy, 3, ['--healthy-ms', '300']);
  assert.equal(
    result.retries.map((r) => r.ceilingS),
    [1, 1, 1],
    JSON.stringify(result.events.map((e) => e.message)),
  );
});

test('a publish whose connection drops before its PUBACK settles (false), never hangs', async () => {
  // The daemon's message queue awaits the publish of each reply: one that never settled stopped
  // the router taking desired states after a broker restart (the chaos suite's broker-restarts).
  const result = await runAgainst(
    (socket, data) => {
      if (data[0] === 0x10) socket.write(CONNACK);
      if (data[0] === 0x82) {
        const id = packetId(data);
        socket.write(Buffer.from([0x90, 0x04, id >> 8, id & 0xff, 0x01, 0x01]));
      }
      // A QoS 1 PUBLISH to the trial topic: no PUBACK, the connection drops.
      if ((data[0]! & 0xf6) === 0x32 && data.includes(Buffer.from('op25b/v1/trial')))
        socket.destroy();
    },
    2,
    ['--publish-on-connect', '1'],
  );
  const settled = result.events.filter((e) => /^trial: publish settled/.test(String(e.message)));
  assert.ok(settled.length >= 1, JSON.stringify(result.events.map((e) => e.message)));
  assert.ok(settled.every((e) => e.message === 'trial: publish settled false'));
});

test.run();
