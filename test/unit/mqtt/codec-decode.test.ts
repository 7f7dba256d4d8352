// The agent's MQTT decoder and framer (agent/mqtt/packets/) against npm's mqtt-packet as the
// oracle, for MQTT 3.1.1 and 5: what mqtt-packet generates, the agent decodes to the same packet,
// however the bytes are split; the read limit and UTF-8 topics. Encoding: codec-encode.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodePacket } from '../../../agent/mqtt/packets/decode.ts';
import { encodePublish } from '../../../agent/mqtt/packets/encode.ts';
import { PacketFramer } from '../../../agent/mqtt/packets/framer.ts';
import { agentDecode, CASES, CONNACK_PROPERTIES, PUBLISH_PROPERTIES, utf8 } from './codec-cases.ts';
import { oracleEncode, plain, properties, random, type Packet } from './codec-oracle.ts';

for (const version of [4, 5] as const) {
  const v5 = version === 5;

  test(`MQTT ${version}: packets from mqtt-packet decoded here (${CASES} cases each)`, () => {
    const r = random(version * 1000 + 3);
    for (let i = 0; i < CASES; i++) {
      // CONNACK
      const code = r.pick(v5 ? [0, 0x80, 0x86, 0x87, 0x8a, 0x9c] : [0, 1, 2, 3, 4, 5]);
      const connackProps = v5 ? properties(r, CONNACK_PROPERTIES) : undefined;
      const connack = {
        cmd: 'connack',
        sessionPresent: r.bool(),
        ...(v5 ? { reasonCode: code } : { returnCode: code }),
        ...(connackProps && { properties: connackProps }),
      };
      assert.equal(plain(agentDecode(oracleEncode(connack, version), version)), plain(connack));
      // PUBLISH, with the properties a broker may add (subscription identifiers among them)
      const qos = r.int(0, 1);
      const publishProps = v5
        ? properties(r, [...PUBLISH_PROPERTIES, 'subscriptionIdentifier'])
        : undefined;
      const publish = {
        cmd: 'publish',
        topic: r.text(1, 60),
        payload: Buffer.from(r.bytes(r.bool() ? 10 : 5000)),
        qos,
        retain: r.bool(),
        dup: qos === 1 && r.bool(),
        ...(qos === 1 && { messageId: r.int(1, 0xffff) }),
        ...(publishProps && { properties: publishProps }),
      };
      assert.equal(
        plain(agentDecode(oracleEncode(publish, version), version)),
        plain(publish),
        `publish case ${i}`,
      );
      // PUBACK (MQTT 5: with a reason code and a reason string)
      const id = r.int(1, 0xffff);
      const reasonCode = v5 ? r.pick([0, 0x10, 0x80, 0x87, 0x97]) : 0;
      const ackProps = v5 ? properties(r, ['reasonString', 'userProperties']) : undefined;
      const puback = {
        cmd: 'puback',
        messageId: id,
        reasonCode,
        ...(ackProps && { properties: ackProps }),
      };
      assert.equal(plain(agentDecode(oracleEncode(puback, version), version)), plain(puback));
      // SUBACK: granted QoS and failure codes
      const granted = Array.from({ length: r.int(1, 5) }, () => r.pick([0, 1, 2, 0x80]));
      const subackProps = v5 ? properties(r, ['reasonString']) : undefined;
      const suback = {
        cmd: 'suback',
        messageId: id,
        granted,
        ...(subackProps && { properties: subackProps }),
      };
      assert.equal(plain(agentDecode(oracleEncode(suback, version), version)), plain(suback));
      // DISCONNECT (MQTT 5: a reason code, maybe a reason string)
      if (v5) {
        const props = properties(r, ['reasonString', 'serverReference', 'userProperties']);
        const disconnect = {
          cmd: 'disconnect',
          reasonCode: r.pick([0, 0x8b, 0x8e, 0x98, 0x9c]),
          ...(props && { properties: props }),
        };
        assert.equal(
          plain(agentDecode(oracleEncode(disconnect, version), version)),
          plain(disconnect),
        );
      }
    }
    assert.equal(agentDecode(oracleEncode({ cmd: 'pingresp' }, version), version), {
      cmd: 'pingresp',
    });
    assert.equal(agentDecode(Uint8Array.of(0xe0, 0), version), {
      cmd: 'disconnect',
      reasonCode: 0,
    });
  });

  test(`MQTT ${version}: framing across arbitrary chunk splits gives the same packets`, () => {
    const r = random(version * 1000 + 4);
    for (let round = 0; round < 40; round++) {
      const packets: Packet[] = [];
      for (let i = r.int(1, 12); i > 0; i--)
        packets.push(
          r.pick([
            { cmd: 'pingresp' },
            { cmd: 'puback', messageId: r.int(1, 0xffff), reasonCode: 0 },
            {
              cmd: 'publish',
              topic: r.text(1, 20),
              payload: Buffer.from(r.bytes(r.bool() ? 5 : 2000)),
              qos: 1,
              retain: false,
              dup: false,
              messageId: r.int(1, 0xffff),
            },
            { cmd: 'suback', messageId: 1, granted: [1, 0x80] },
          ]),
        );
      const stream = Buffer.concat(packets.map((p) => oracleEncode(p, version)));
      const framer = new PacketFramer(1 << 20, version);
      const decoded: unknown[] = [];
      for (let at = 0; at < stream.length;) {
        const n = r.pick([1, 1, 2, 3, 7, 64, 1000, 5000]);
        for (const f of framer.feed(stream.subarray(at, at + n)))
          decoded.push(plain(decodePacket(f.first, f.body, version)));
        at += n;
      }
      assert.equal(decoded, plain(packets), `round ${round}`);
    }
  });
}

test('a PUBLISH over the read limit arrives without payload, with its size (any split)', () => {
  const payload = Buffer.alloc(70_000, 0xab);
  for (const version of [4, 5] as const)
    for (const step of [1, 13, 4096, 100_000]) {
      const bytes = oracleEncode(
        {
          cmd: 'publish',
          topic: 'op25b/v1/r/desired',
          payload,
          qos: 1,
          messageId: 9,
          retain: true,
          ...(version === 5 && { properties: { contentType: 'json' } }),
        },
        version,
      );
      const framer = new PacketFramer(65_536, version);
      const frames = [];
      for (let at = 0; at < bytes.length; at += step)
        frames.push(...framer.feed(bytes.subarray(at, at + step)));
      assert.is(frames.length, 1);
      assert.is(frames[0]!.droppedSize, 70_000);
      const p = decodePacket(frames[0]!.first, frames[0]!.body, version);
      assert.equal(
        [p.cmd, p.cmd === 'publish' && [p.topic, p.payload.length, p.messageId, p.retain]],
        ['publish', ['op25b/v1/r/desired', 0, 9, true]],
      );
    }
});

test('UTF-8: topics are encoded and decoded as UTF-8, invalid bytes as U+FFFD', () => {
  const packet = encodePublish({ topic: 'a/é/😀', payload: utf8('x'), qos: 0, retain: false }, 4);
  assert.equal([...packet.subarray(2, 4)], [0, 9]); // 1 + 1 + 2 + 1 + 4 bytes
  const bad = Uint8Array.of(0x30, 5, 0, 3, 0x61, 0xff, 0x62);
  const p = agentDecode(bad, 4);
  assert.equal(p.cmd === 'publish' && p.topic, 'a\ufffdb');
});

test.run();
