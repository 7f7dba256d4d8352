// Decodes one whole packet from the broker (its first byte and body, framer.ts) into plain data.
// Anything a broker may not send a client, reserved flags set, or fields that do not add up is a
// MqttProtocolError, which ends the connection. Strings with invalid UTF-8 are decoded with
// U+FFFD instead: such a topic matches none the agent subscribed to and is ignored, where an
// error would end the connection, and a retained message would end every next one.
import { decodeProperties } from './properties.ts';
import { ByteReader } from './reader.ts';
import {
  MqttProtocolError,
  type InboundPacket,
  type Properties,
  type ProtocolVersion,
  type QoS,
} from './types.ts';

const NAMES = ['', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP',
  'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH']; // prettier-ignore

function withProperties<T extends object>(packet: T, properties: Properties | undefined): T {
  // As mqtt-packet: no `properties` key when there are none.
  return properties && Object.keys(properties).length > 0 ? { ...packet, properties } : packet;
}

function messageId(r: ByteReader): number {
  const id = r.u16();
  if (id === 0) r.fail('packet identifier 0');
  return id;
}

export function decodePacket(
  first: number,
  body: Uint8Array,
  version: ProtocolVersion,
): InboundPacket {
  const type = first >> 4;
  const flags = first & 0x0f;
  const name = NAMES[type] || 'reserved packet type 0';
  const r = new ByteReader(body, name);
  const v5 = version === 5;
  if (type !== 3 && flags !== 0) r.fail(`reserved flags ${flags}`);
  switch (type) {
    case 2: {
      const ackFlags = r.u8();
      if (ackFlags & 0xfe) r.fail(`reserved acknowledge flags ${ackFlags}`);
      const code = r.u8();
      const properties = v5 ? decodeProperties(r) : undefined;
      r.end();
      const sessionPresent = (ackFlags & 1) === 1;
      return withProperties(
        v5
          ? { cmd: 'connack', sessionPresent, reasonCode: code }
          : { cmd: 'connack', sessionPresent, returnCode: code },
        properties,
      );
    }
    case 3: {
      const qos = (flags >> 1) & 3;
      if (qos === 3) r.fail('QoS 3');
      // The agent subscribes with QoS 1 at most, so a broker must never send QoS 2 (3.8.4).
      if (qos === 2) r.fail('QoS 2 on a QoS 1 subscription');
      const topic = r.string();
      const id = qos > 0 ? messageId(r) : undefined;
      const properties = v5 ? decodeProperties(r) : undefined;
      // Topic aliases are never allowed (CONNECT sets no Topic Alias Maximum): a name is required.
      if (topic === '') r.fail('empty topic name');
      const packet = {
        cmd: 'publish' as const,
        topic,
        payload: r.rest(),
        qos: qos as QoS,
        retain: (flags & 1) === 1,
        dup: (flags & 8) === 8,
        ...(id !== undefined && { messageId: id }),
      };
      return withProperties(packet, properties);
    }
    case 4: {
      const id = messageId(r);
      let reasonCode = 0;
      let properties: Properties | undefined;
      if (v5 && r.left > 0) reasonCode = r.u8();
      if (v5 && r.left > 0) properties = decodeProperties(r);
      r.end();
      return withProperties({ cmd: 'puback', messageId: id, reasonCode }, properties);
    }
    case 9: {
      const id = messageId(r);
      const properties = v5 ? decodeProperties(r) : undefined;
      if (r.left === 0) r.fail('no return codes');
      const granted = Array.from(r.rest());
      return withProperties({ cmd: 'suback', messageId: id, granted }, properties);
    }
    case 13:
      r.end();
      return { cmd: 'pingresp' };
    case 14: {
      let reasonCode = 0;
      let properties: Properties | undefined;
      if (v5 && r.left > 0) reasonCode = r.u8();
      if (v5 && r.left > 0) properties = decodeProperties(r);
      r.end();
      return withProperties({ cmd: 'disconnect', reasonCode }, properties);
    }
    default:
      throw new MqttProtocolError(`the broker sent a ${name} packet, which a client never gets`);
  }
}
