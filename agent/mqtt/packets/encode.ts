// Encodes the packets a client sends: CONNECT, PUBLISH (QoS 0/1), SUBSCRIBE, PUBACK, PINGREQ and
// DISCONNECT, each into one Uint8Array. Invalid input throws (RangeError): the caller checks
// options first (create-client.ts), so a throw here is a bug, never the broker's doing.
import { encodeUtf8 } from '../../encoding/utf8.ts';
import { encodeProperties } from './properties.ts';
import type { ConnectOptions, ProtocolVersion, PublishOptions, Subscription } from './types.ts';
import { ByteWriter } from './writer.ts';

const CONNECT = 0x10;
const PUBLISH = 0x30;
const PUBACK = 0x40;
const SUBSCRIBE = 0x82; // reserved flags 0b0010
const PINGREQ = 0xc0;
const DISCONNECT = 0xe0;

function checkId(messageId: number | undefined): number {
  if (
    messageId === undefined ||
    !Number.isInteger(messageId) ||
    messageId < 1 ||
    messageId > 0xffff
  )
    throw new RangeError(`invalid packet identifier ${String(messageId)}`);
  return messageId;
}

export function encodeConnect(o: ConnectOptions): Uint8Array {
  const v5 = o.protocolVersion === 5;
  const w = new ByteWriter().string('MQTT').u8(o.protocolVersion);
  let flags = o.clean ? 0x02 : 0;
  if (o.will) flags |= 0x04 | (o.will.qos << 3) | (o.will.retain ? 0x20 : 0);
  if (o.password !== undefined) flags |= 0x40;
  if (o.username !== undefined) flags |= 0x80;
  w.u8(flags).u16(o.keepalive);
  if (v5) w.append(encodeProperties(o.properties));
  w.string(o.clientId);
  if (o.will) {
    if (v5) w.append(encodeProperties(o.will.properties));
    w.string(o.will.topic).binary(o.will.payload);
  }
  if (o.username !== undefined) w.string(o.username);
  if (o.password !== undefined) w.binary(o.password);
  return w.packet(CONNECT);
}

export function encodePublish(o: PublishOptions, version: ProtocolVersion): Uint8Array {
  const w = new ByteWriter().binary(encodeUtf8(o.topic));
  if (o.qos > 0) w.u16(checkId(o.messageId));
  if (version === 5) w.append(encodeProperties(o.properties));
  w.raw(o.payload);
  return w.packet(PUBLISH | (o.dup ? 0x08 : 0) | (o.qos << 1) | (o.retain ? 1 : 0));
}

export function encodeSubscribe(
  messageId: number,
  subscriptions: readonly Subscription[],
  version: ProtocolVersion,
): Uint8Array {
  if (subscriptions.length === 0) throw new RangeError('SUBSCRIBE without a topic filter');
  const w = new ByteWriter().u16(checkId(messageId));
  if (version === 5) w.append(encodeProperties(undefined));
  for (const { topic, qos } of subscriptions) w.string(topic).u8(qos);
  return w.packet(SUBSCRIBE);
}

/** A PUBACK with success: MQTT 5 lets the reason code 0 and empty properties be left out. */
export function encodePuback(messageId: number): Uint8Array {
  return new ByteWriter().u16(checkId(messageId)).packet(PUBACK);
}

export function encodePingreq(): Uint8Array {
  return Uint8Array.of(PINGREQ, 0);
}

/** A normal DISCONNECT (MQTT 5 reason code 0, which may be left out): the Will is not sent. */
export function encodeDisconnect(): Uint8Array {
  return Uint8Array.of(DISCONNECT, 0);
}
