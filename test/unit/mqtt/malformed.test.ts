// Malformed and truncated input to the agent's MQTT decoder (agent/mqtt/packets/): every broken
// packet is a MqttProtocolError (or, for sizes, the size guard's PacketSizeError) with a clear
// message; nothing else is ever thrown, whatever the bytes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PacketSizeError } from '../../../agent/mqtt/packet-size-guard.ts';
import { decodePacket } from '../../../agent/mqtt/packets/decode.ts';
import { PacketFramer } from '../../../agent/mqtt/packets/framer.ts';
import { MqttProtocolError } from '../../../agent/mqtt/packets/types.ts';
import { oracleEncode, random } from './codec-oracle.ts';

function decodeAll(bytes: Uint8Array, version: 4 | 5, limit = 65_536) {
  const framer = new PacketFramer(limit, version);
  return framer.feed(bytes).map((f) => decodePacket(f.first, f.body, version));
}

function refused(bytes: number[], version: 4 | 5, pattern: RegExp): void {
  try {
    decodeAll(Uint8Array.from(bytes), version);
  } catch (error) {
    assert.instance(error, MqttProtocolError, String(error));
    assert.is((error as MqttProtocolError).code, 'EPROTOCOL');
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`${JSON.stringify(bytes)} was accepted`);
}

test('malformed packets: each refused with a message that says what is wrong', () => {
  refused([0x21, 2, 0, 0], 4, /^malformed CONNACK: reserved flags 1$/);
  refused([0x20, 2, 2, 0], 4, /reserved acknowledge flags 2/);
  refused([0x20, 3, 0, 0, 0], 4, /CONNACK: 1 bytes too many/);
  refused([0x20, 1, 0], 4, /CONNACK: truncated/);
  refused([0x20, 3, 0, 0, 5], 5, /CONNACK: properties of 5 bytes, 0 left/);
  refused([0x20, 5, 0, 0, 2, 0x63, 0], 5, /CONNACK: unknown property 99/);
  refused([0x20, 5, 0, 0, 2, 0x13, 0], 5, /CONNACK: (truncated|property runs past)/);
  refused([0x36, 5, 0, 1, 0x61, 0, 1], 4, /PUBLISH: QoS 3/);
  refused([0x34, 5, 0, 1, 0x61, 0, 1], 4, /PUBLISH: QoS 2 on a QoS 1 subscription/);
  refused([0x32, 5, 0, 1, 0x61, 0, 0], 4, /PUBLISH: packet identifier 0/);
  refused([0x30, 3, 0, 5, 0x61], 4, /PUBLISH: truncated/);
  refused([0x30, 3, 0, 0, 0], 5, /PUBLISH: empty topic name/); // a topic alias: never allowed
  refused([0x40, 2, 0, 0], 4, /PUBACK: packet identifier 0/);
  refused([0x40, 3, 0, 1, 0], 4, /PUBACK: 1 bytes too many/);
  refused([0x90, 2, 0, 1], 4, /SUBACK: no return codes/);
  refused([0xd0, 1, 0], 4, /PINGRESP: 1 bytes too many/);
  refused([0xe0, 1, 0], 4, /DISCONNECT: 1 bytes too many/);
  refused([0x10, 0], 4, /a CONNECT packet, which a client never gets/);
  refused([0x82, 0], 4, /malformed SUBSCRIBE: reserved flags 2/);
  refused([0x50, 2, 0, 1], 4, /a PUBREC packet/);
  refused([0xf0, 0], 5, /an? AUTH packet|AUTH packet/);
  refused([0x00, 0], 4, /reserved packet type 0/);
});

test('a remaining length of more than 4 bytes, or a packet over the limit, is a size error', () => {
  assert.throws(
    () => decodeAll(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), 4),
    (e: Error) => e instanceof PacketSizeError && /malformed remaining length/.test(e.message),
  );
  assert.throws(
    () => decodeAll(Uint8Array.of(0x90, 0xff, 0xff, 0x03), 4),
    (e: Error) => e instanceof PacketSizeError && /over the limit/.test(e.message),
  );
});

test('every truncation of a valid packet waits for more, or is refused, or is a shorter form', () => {
  for (const version of [4, 5] as const) {
    const packets = [
      { cmd: 'connack', sessionPresent: true, reasonCode: 0, returnCode: 0,
        properties: { reasonString: 'ok', userProperties: { a: 'b' } } },
      { cmd: 'publish', topic: 'op25b/v1/r/cmd', payload: Buffer.from('{"x":1}'), qos: 1,
        messageId: 5, properties: { contentType: 'json', correlationData: Buffer.from([1, 2]) } },
      { cmd: 'suback', messageId: 3, granted: [1, 0x80], properties: { reasonString: 'no' } },
      { cmd: 'puback', messageId: 3, reasonCode: 0x87, properties: { reasonString: 'no' } },
      { cmd: 'disconnect', reasonCode: 0x8b, properties: { reasonString: 'bye' } },
    ]; // prettier-ignore
    for (const packet of packets) {
      if (version === 4 && packet.cmd === 'disconnect') continue;
      const bytes = oracleEncode(packet, version);
      const bodyStart = bytes.length - bytes[1]!; // one remaining-length byte in these
      for (let cut = bodyStart; cut < bytes.length; cut++) {
        // The framer has not got the whole packet: nothing yet.
        assert.equal(new PacketFramer(65_536, version).feed(bytes.subarray(0, cut)), []);
        // The same bytes announced as a whole (shorter) packet: the decoder refuses them,
        // unless what is left is itself a valid shorter form (an ack without properties).
        const body = bytes.subarray(bodyStart, cut);
        let decoded: { cmd: string } | null = null;
        try {
          decoded = decodePacket(bytes[0]!, body, version);
        } catch (error) {
          assert.instance(error, MqttProtocolError);
        }
        // Valid shorter forms: a publish with less payload, a suback with fewer codes, an ack
        // or disconnect without its properties; a CONNACK has none.
        if (decoded)
          assert.ok(
            ['puback', 'disconnect', 'publish', 'suback'].includes(decoded.cmd),
            `${packet.cmd} cut at ${cut} decoded as ${JSON.stringify(decoded)}`,
          );
      }
    }
  }
});

test('random bytes and mutated packets: only MqttProtocolError or PacketSizeError (5,000 cases)', () => {
  const r = random(4242);
  const seeds = [
    oracleEncode({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('hi'), qos: 1, messageId: 1,
      properties: { userProperties: { k: 'v' }, subscriptionIdentifier: 7 } }, 5),
    oracleEncode({ cmd: 'connack', sessionPresent: false, reasonCode: 0,
      properties: { maximumPacketSize: 1000, assignedClientIdentifier: 'x' } }, 5),
    oracleEncode({ cmd: 'suback', messageId: 2, granted: [0, 1] }, 4),
  ]; // prettier-ignore
  let refusedCount = 0;
  for (let i = 0; i < 5000; i++) {
    const version = r.bool() ? 4 : 5;
    let bytes: Uint8Array;
    if (r.bool()) bytes = r.bytes(40);
    else {
      bytes = Uint8Array.from(r.pick(seeds));
      for (let n = r.int(1, 3); n > 0; n--) bytes[r.int(0, bytes.length - 1)] = r.int(0, 255);
    }
    try {
      decodeAll(bytes, version, 1024);
    } catch (error) {
      assert.ok(
        error instanceof MqttProtocolError || error instanceof PacketSizeError,
        `case ${i}: ${String(error)}`,
      );
      refusedCount++;
    }
  }
  assert.ok(refusedCount > 1000, `${refusedCount} of 5000 refused`);
});

test.run();
