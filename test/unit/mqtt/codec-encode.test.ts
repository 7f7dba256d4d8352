// The agent's MQTT encoder (agent/mqtt/packets/encode.ts) against npm's mqtt-packet as the
// oracle, for MQTT 3.1.1 and 5: what the agent encodes, mqtt-packet parses to the same packet.
// Many seeded random cases each; decoding: codec-decode.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePuback,
  encodePublish,
  encodeSubscribe,
} from '../../../agent/mqtt/packets/encode.ts';
import type { ConnectOptions, QoS } from '../../../agent/mqtt/packets/types.ts';
import {
  CASES,
  CONNECT_PROPERTIES,
  oracleOne,
  PUBLISH_PROPERTIES,
  WILL_PROPERTIES,
} from './codec-cases.ts';
import { plain, properties, random, type Packet } from './codec-oracle.ts';

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
}

test.run();
