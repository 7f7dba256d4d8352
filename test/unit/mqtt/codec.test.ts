// The agent's MQTT codec (agent/mqtt/packets/) against npm's mqtt-packet as the oracle, for
// MQTT 3.1.1 and 5: what the agent encodes, mqtt-packet parses to the same packet; what
// mqtt-packet generates, the agent decodes to the same packet. Many seeded random cases each.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodePacket } from '../../../agent/mqtt/packets/decode.ts';
import {
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePuback,
  encodePublish,
  encodeSubscribe,
} from '../../../agent/mqtt/packets/encode.ts';
import { PacketFramer } from '../../../agent/mqtt/packets/framer.ts';
import type { ConnectOptions, QoS } from '../../../agent/mqtt/packets/types.ts';
import {
  oracleEncode,
  oracleParse,
  plain,
  properties,
  random,
  type Packet,
} from './codec-oracle.ts';

const CASES = 300;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const CONNECT_PROPERTIES = ['sessionExpiryInterval', 'receiveMaximum', 'maximumPacketSize',
  'topicAliasMaximum', 'requestResponseInformation', 'requestProblemInformation',
  'userProperties']; // prettier-ignore
const WILL_PROPERTIES = ['willDelayInterval', 'payloadFormatIndicator', 'messageExpiryInterval',
  'contentType', 'responseTopic', 'correlationData', 'userProperties']; // prettier-ignore
const PUBLISH_PROPERTIES = ['payloadFormatIndicator', 'messageExpiryInterval', 'contentType',
  'responseTopic', 'correlationData', 'userProperties']; // prettier-ignore
const CONNACK_PROPERTIES = ['sessionExpiryInterval', 'receiveMaximum', 'maximumQoS',
  'retainAvailable', 'maximumPacketSize', 'assignedClientIdentifier', 'topicAliasMaximum',
  'reasonString', 'userProperties', 'wildcardSubscriptionAvailable',
  'subscriptionIdentifiersAvailable', 'sharedSubscriptionAvailable', 'serverKeepAlive',
  'responseInformation', 'serverReference']; // prettier-ignore

/** Decodes one whole packet of `bytes` with the agent's framer and decoder. */
function agentDecode(bytes: Uint8Array, version: 4 | 5) {
  const frames = new PacketFramer(1 << 20, version).feed(bytes);
  assert.is(frames.length, 1, `one packet in ${bytes.length} bytes`);
  return decodePacket(frames[0]!.first, frames[0]!.body, version);
}

function oracleOne(bytes: Uint8Array, version: 4 | 5): Packet {
  const { packets, errors } = oracleParse(bytes, version);
  assert.equal(errors, []);
  assert.is(packets.length, 1);
  return packets[0]!;
}

for (const version of [4, 5] as const) {
  const v5 = version === 5;

  test(`MQTT ${version}: CONNECT, encoded here, parsed by mqtt-packet (${CASES} cases)`, () => {
    const r = random(version * 1000 + 1);
    for (let i = 0; i < CASES; i++) {
      const willProps = v5 ? properties(r, WILL_PROPERTIES) : undefined;
      const connectProps = v5 ? properties(r, CONNECT_PROPERTIES) : undefined;
      const options: ConnectOptions = {
        protocolVersion: version,
        clientId: r.text(1, 40),
        keepalive: r.int(0, 0xffff),
        clean: r.bool(),
        ...(r.bool() && { username: r.text(0, 20) }),
        ...(r.bool() && { password: r.bytes(40) }),
        ...(r.bool() && {
          will: {
            topic: r.text(1, 30),
            payload: r.bytes(300),
            qos: r.int(0, 2) as QoS,
            retain: r.bool(),
            ...(willProps && { properties: willProps }),
          },
        }),
        ...(connectProps && { properties: connectProps }),
      };
      const p = oracleOne(encodeConnect(options), version);
      assert.equal(
        plain({
          cmd: p.cmd,
          protocolId: p.protocolId,
          protocolVersion: p.protocolVersion,
          clientId: p.clientId,
          keepalive: p.keepalive,
          clean: p.clean,
          username: p.username,
          password: p.password,
          will: p.will && {
            topic: p.will.topic,
            payload: p.will.payload,
            qos: p.will.qos,
            retain: p.will.retain,
            properties: p.will.properties,
          },
          properties: p.properties,
        }),
        plain({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: version,
          clientId: options.clientId,
          keepalive: options.keepalive,
          clean: options.clean,
          username: options.username,
          password: options.password,
          will: options.will && { properties: undefined, ...options.will },
          properties: options.properties,
        }),
        `case ${i}`,
      );
    }
  });

  test(`MQTT ${version}: PUBLISH, PUBACK, SUBSCRIBE, PINGREQ, DISCONNECT encoded here`, () => {
    const r = random(version * 1000 + 2);
    for (let i = 0; i < CASES; i++) {
      const qos = r.int(0, 1) as 0 | 1;
      const props = v5 ? properties(r, PUBLISH_PROPERTIES) : undefined;
      const publish = {
        topic: r.text(1, 60),
        payload: r.bytes(r.bool() ? 20 : 3000),
        qos,
        retain: r.bool(),
        dup: qos === 1 && r.bool(),
        ...(qos === 1 && { messageId: r.int(1, 0xffff) }),
        ...(props && { properties: props }),
      };
      const p = oracleOne(encodePublish(publish, version), version);
      assert.equal(
        plain({
          topic: p.topic,
          payload: p.payload,
          qos: p.qos,
          retain: p.retain,
          dup: p.dup,
          messageId: p.messageId,
          properties: p.properties,
        }),
        plain({ messageId: undefined, properties: undefined, ...publish }),
        `publish case ${i}`,
      );
      const id = r.int(1, 0xffff);
      const ack = oracleOne(encodePuback(id), version);
      assert.equal([ack.cmd, ack.messageId], ['puback', id]);
      const topics = Array.from({ length: r.int(1, 4) }, () => ({
        topic: r.pick(['op25b/v1/+/desired', 'a/#', r.text(1, 30)]),
        qos: r.int(0, 2) as QoS,
      }));
      const sub = oracleOne(encodeSubscribe(id, topics, version), version);
      assert.equal(
        [sub.cmd, sub.messageId, sub.subscriptions.map((s: Packet) => [s.topic, s.qos])],
        ['subscribe', id, topics.map((t) => [t.topic, t.qos])],
      );
    }
    assert.is(oracleOne(encodePingreq(), version).cmd, 'pingreq');
    const bye = oracleOne(encodeDisconnect(), version);
    assert.is(bye.cmd, 'disconnect');
    assert.ok(bye.reasonCode === undefined || bye.reasonCode === 0);
  });

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
