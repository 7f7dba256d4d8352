// npm's mqtt-packet as the oracle of the agent's codec (agent/mqtt/packets/), and a seeded
// generator of packets for the codec and session tests: the same seed gives the same cases.
import mqttPacket from 'mqtt-packet';

export type Packet = Record<string, any>;

/** Bytes mqtt-packet generates for `packet`. */
export const oracleEncode = (packet: Packet, protocolVersion: 4 | 5): Uint8Array =>
  new Uint8Array(mqttPacket.generate(packet as never, { protocolVersion }));

/** What mqtt-packet parses from `bytes` (errors included). */
export function oracleParse(bytes: Uint8Array, protocolVersion: 4 | 5) {
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p) => void packets.push(p as unknown as Packet));
  parser.on('error', (e: Error) => errors.push(e));
  parser.parse(Buffer.from(bytes));
  return { packets, errors };
}

/** A small seeded PRNG (mulberry32): cases are random but the same on every run. */
export function random(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const bool = (): boolean => next() < 0.5;
  const bytes = (max: number): Uint8Array =>
    Uint8Array.from({ length: int(0, max) }, () => int(0, 255));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  // Topics with multi-byte UTF-8 (2, 3 and 4 bytes), never wildcards or NUL.
  const text = (min: number, max: number): string => {
    const parts = ['a', 'Z', '/', '-', '9', 'é', '€', '日本', '😀', 'op25b', 'v1'];
    let out = '';
    const n = int(min, max);
    while (out.length < n) out += pick(parts);
    return out;
  };
  return { next, int, bool, bytes, pick, text };
}

export type Random = ReturnType<typeof random>;

/** Random MQTT 5 properties among those `names` allows, typed as mqtt-packet types them. */
export function properties(r: Random, names: readonly string[]): Packet | undefined {
  const out: Packet = {};
  for (const name of names) {
    if (!r.bool()) continue;
    switch (name) {
      case 'payloadFormatIndicator':
      case 'requestProblemInformation':
      case 'requestResponseInformation':
      case 'retainAvailable':
      case 'wildcardSubscriptionAvailable':
      case 'sharedSubscriptionAvailable':
      case 'subscriptionIdentifiersAvailable':
        out[name] = r.bool();
        break;
      case 'maximumQoS':
        out[name] = r.int(0, 1);
        break;
      case 'receiveMaximum':
      case 'topicAliasMaximum':
      case 'serverKeepAlive':
        out[name] = r.int(1, 0xffff);
        break;
      case 'subscriptionIdentifier':
        out[name] = r.int(1, 268_435_455);
        break;
      case 'contentType':
      case 'responseTopic':
      case 'reasonString':
      case 'assignedClientIdentifier':
      case 'responseInformation':
      case 'serverReference':
        out[name] = r.text(0, 20);
        break;
      case 'correlationData':
        out[name] = Buffer.from(r.bytes(30));
        break;
      case 'userProperties': {
        const pairs: Record<string, string | string[]> = {};
        for (let i = r.int(1, 3); i > 0; i--) {
          const key = r.text(1, 6);
          // Never empty: mqtt-packet's parser drops an empty value before a repeated key.
          pairs[key] = r.bool() ? r.text(1, 8) : [r.text(1, 5), r.text(1, 5)];
        }
        out[name] = pairs;
        break;
      }
      default: // the int32 ones
        out[name] = r.int(0, 0xffffffff);
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Buffers and Uint8Arrays as plain arrays, recursively, so packets compare by value. */
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
