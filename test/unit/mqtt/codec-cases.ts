// What the codec tests share: the number of seeded cases, the MQTT 5 property names each packet
// type may carry, and one-packet decoding by the agent and by the oracle (mqtt-packet).
import * as assert from 'uvu/assert';
import { decodePacket } from '../../../agent/mqtt/packets/decode.ts';
import { PacketFramer } from '../../../agent/mqtt/packets/framer.ts';
import { oracleParse, type Packet } from './codec-oracle.ts';

export const CASES = 300;
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export const CONNECT_PROPERTIES = ['sessionExpiryInterval', 'receiveMaximum', 'maximumPacketSize',
  'topicAliasMaximum', 'requestResponseInformation', 'requestProblemInformation',
  'userProperties']; // prettier-ignore
export const WILL_PROPERTIES = ['willDelayInterval', 'payloadFormatIndicator', 'messageExpiryInterval',
  'contentType', 'responseTopic', 'correlationData', 'userProperties']; // prettier-ignore
export const PUBLISH_PROPERTIES = ['payloadFormatIndicator', 'messageExpiryInterval', 'contentType',
  'responseTopic', 'correlationData', 'userProperties']; // prettier-ignore
export const CONNACK_PROPERTIES = ['sessionExpiryInterval', 'receiveMaximum', 'maximumQoS',
  'retainAvailable', 'maximumPacketSize', 'assignedClientIdentifier', 'topicAliasMaximum',
  'reasonString', 'userProperties', 'wildcardSubscriptionAvailable',
  'subscriptionIdentifiersAvailable', 'sharedSubscriptionAvailable', 'serverKeepAlive',
  'responseInformation', 'serverReference']; // prettier-ignore

/** Decodes one whole packet of `bytes` with the agent's framer and decoder. */
export function agentDecode(bytes: Uint8Array, version: 4 | 5) {
  const frames = new PacketFramer(1 << 20, version).feed(bytes);
  assert.is(frames.length, 1, `one packet in ${bytes.length} bytes`);
  return decodePacket(frames[0]!.first, frames[0]!.body, version);
}

export function oracleOne(bytes: Uint8Array, version: 4 | 5): Packet {
  const { packets, errors } = oracleParse(bytes, version);
  assert.equal(errors, []);
  assert.is(packets.length, 1);
  return packets[0]!;
}
