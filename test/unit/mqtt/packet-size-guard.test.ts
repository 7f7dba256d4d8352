import mqttPacket from 'mqtt-packet';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PacketSizeError, PacketSizeGuard } from '../../../agent/mqtt/packet-size-guard.ts';

type Packet = Record<string, unknown>;

const encode = (packet: Packet, protocolVersion: 4 | 5): Uint8Array =>
  new Uint8Array(mqttPacket.generate(packet as never, { protocolVersion }));

/** Feeds `bytes` through a guard in chunks of `step` and parses what it passes on. */
function run(bytes: Uint8Array, protocolVersion: 4 | 5, limit: number, step = 7) {
  const guard = new PacketSizeGuard(limit, protocolVersion);
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p) => void packets.push(p as unknown as Packet));
  parser.on('error', (e: Error) => errors.push(e));
  let passed = 0;
  for (let i = 0; i < bytes.length; i += step)
    for (const out of guard.feed(bytes.subarray(i, i + step))) {
      passed = Math.max(passed, out.length);
      parser.parse(Buffer.from(out));
    }
  assert.equal(errors, []);
  return { guard, packets, largestChunk: passed };
}

const publish = (payload: number, extra: Packet = {}): Packet => ({
  cmd: 'publish',
  topic: 'op25b/v1/router-a/desired',
  payload: Buffer.alloc(payload, 0xff),
  qos: 1,
  messageId: 7,
  retain: true,
  ...extra,
});

for (const version of [4, 5] as const) {
  test(`MQTT ${version}: small packets pass unchanged`, () => {
    const bytes = new Uint8Array([
      ...encode(publish(100), version),
      ...encode({ cmd: 'pingresp' }, version),
      ...encode(publish(3, { qos: 0, messageId: undefined }), version),
    ]);
    const { packets, guard } = run(bytes, version, 1024);
    assert.equal(
      packets.map((p) => [p.cmd, (p.payload as Buffer | undefined)?.length]),
      [
        ['publish', 100],
        ['pingresp', undefined],
        ['publish', 3],
      ],
    );
    assert.is(guard.droppedSize(0), undefined);
  });

  test(`MQTT ${version}: a large PUBLISH arrives without its payload, with its size kept`, () => {
    const props = version === 5 ? { properties: { messageExpiryInterval: 60 } } : {};
    const bytes = new Uint8Array([
      ...encode(publish(10), version),
      ...encode(publish(70_000, props), version),
      ...encode(publish(20), version),
    ]);
    const { packets, guard, largestChunk } = run(bytes, version, 1024, 4096);
    assert.equal(
      packets.map((p) => [p.topic, p.retain, p.messageId, (p.payload as Buffer).length]),
      [
        ['op25b/v1/router-a/desired', true, 7, 10],
        ['op25b/v1/router-a/desired', true, 7, 0],
        ['op25b/v1/router-a/desired', true, 7, 20],
      ],
    );
    if (version === 5) assert.equal(packets[1]!.properties, { messageExpiryInterval: 60 });
    assert.is(guard.droppedSize(0), undefined);
    assert.is(guard.droppedSize(1), 70_000);
    assert.is(guard.droppedSize(1), undefined); // told once
    assert.ok(largestChunk <= 4096);
  });
}

test('a header announcing 268 MB of anything but PUBLISH ends the connection', () => {
  const guard = new PacketSizeGuard(65_536, 4);
  // SUBACK (0x90) with the largest remaining length MQTT can express.
  assert.throws(
    () => guard.feed(Uint8Array.from([0x90, 0xff, 0xff, 0xff, 0x7f, 0, 1, 0])),
    (e: unknown) => e instanceof PacketSizeError && /268435455 bytes/.test(e.message),
  );
});

test('a 268 MB PUBLISH is dropped as it streams, nothing of it is held', () => {
  const guard = new PacketSizeGuard(65_536, 4);
  const topic = [0, 3, 0x61, 0x2f, 0x62];
  const out = guard.feed(Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0x7f, ...topic]));
  assert.equal([...out[0]!], [0x30, 5, ...topic]);
  const block = new Uint8Array(1 << 20);
  for (let i = 0; i < 16; i++) assert.equal(guard.feed(block), []);
  assert.is(guard.droppedSize(0), 268_435_455 - 5);
});

test('a remaining length of more than 4 bytes is an error', () => {
  const guard = new PacketSizeGuard(65_536, 4);
  assert.throws(
    () => guard.feed(Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])),
    /malformed/,
  );
});

test('a PUBLISH shorter than its own topic is an error', () => {
  const guard = new PacketSizeGuard(11, 4);
  assert.throws(
    () => guard.feed(Uint8Array.from([0x30, 10, 0, 200, 1, 2, 3, 4, 5, 6, 7, 8])),
    /shorter/,
  );
});

test.run();
