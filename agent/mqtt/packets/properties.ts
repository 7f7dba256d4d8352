// MQTT 5 properties: encoded from, and decoded to, objects named as mqtt-packet names them.
// A property the table does not know is a malformed packet (MQTT 5 section 2.2.2.2).
import { ByteReader } from './reader.ts';
import { ByteWriter } from './writer.ts';
import type { Properties } from './types.ts';

type Kind = 'bool' | 'u8' | 'u16' | 'u32' | 'varint' | 'string' | 'binary' | 'pair';

const TABLE: readonly (readonly [number, string, Kind])[] = [
  [1, 'payloadFormatIndicator', 'bool'],
  [2, 'messageExpiryInterval', 'u32'],
  [3, 'contentType', 'string'],
  [8, 'responseTopic', 'string'],
  [9, 'correlationData', 'binary'],
  [11, 'subscriptionIdentifier', 'varint'],
  [17, 'sessionExpiryInterval', 'u32'],
  [18, 'assignedClientIdentifier', 'string'],
  [19, 'serverKeepAlive', 'u16'],
  [21, 'authenticationMethod', 'string'],
  [22, 'authenticationData', 'binary'],
  [23, 'requestProblemInformation', 'bool'],
  [24, 'willDelayInterval', 'u32'],
  [25, 'requestResponseInformation', 'bool'],
  [26, 'responseInformation', 'string'],
  [28, 'serverReference', 'string'],
  [31, 'reasonString', 'string'],
  [33, 'receiveMaximum', 'u16'],
  [34, 'topicAliasMaximum', 'u16'],
  [35, 'topicAlias', 'u16'],
  [36, 'maximumQoS', 'u8'],
  [37, 'retainAvailable', 'bool'],
  [38, 'userProperties', 'pair'],
  [39, 'maximumPacketSize', 'u32'],
  [40, 'wildcardSubscriptionAvailable', 'bool'],
  [41, 'subscriptionIdentifiersAvailable', 'bool'],
  [42, 'sharedSubscriptionAvailable', 'bool'],
];

const BY_ID = new Map(TABLE.map(([id, name, kind]) => [id, { name, kind }]));
const BY_NAME = new Map(TABLE.map(([id, name, kind]) => [name, { id, kind }]));

function encodeValue(w: ByteWriter, kind: Kind, name: string, value: unknown): void {
  const bad = (): never => {
    throw new RangeError(`invalid MQTT 5 property ${name}: ${String(value)}`);
  };
  switch (kind) {
    case 'bool':
      if (typeof value !== 'boolean' && value !== 0 && value !== 1) bad();
      w.u8(value ? 1 : 0);
      return;
    case 'u8':
    case 'u16':
    case 'u32':
    case 'varint': {
      const max = { u8: 0xff, u16: 0xffff, u32: 0xffffffff, varint: 268_435_455 }[kind];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) bad();
      const n = value as number;
      if (kind === 'u8') w.u8(n);
      else if (kind === 'u16') w.u16(n);
      else if (kind === 'u32') w.u32(n);
      else w.varint(n);
      return;
    }
    case 'string':
      if (typeof value !== 'string') bad();
      w.string(value as string);
      return;
    case 'binary':
      if (!(value instanceof Uint8Array)) bad();
      w.binary(value as Uint8Array);
  }
}

/** The property block: its length, then each property (arrays give repeated properties). */
export function encodeProperties(properties: Properties | undefined): ByteWriter {
  const body = new ByteWriter();
  for (const name of Object.keys(properties ?? {})) {
    const value = properties![name];
    if (value === undefined) continue;
    const entry = BY_NAME.get(name);
    if (!entry) throw new RangeError(`unknown MQTT 5 property ${name}`);
    if (entry.kind === 'pair') {
      if (typeof value !== 'object' || value === null) throw new RangeError(`invalid ${name}`);
      for (const key of Object.keys(value)) {
        const values = (value as Record<string, unknown>)[key];
        for (const v of Array.isArray(values) ? values : [values])
          body.u8(entry.id).string(key).string(String(v));
      }
      continue;
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      body.u8(entry.id);
      encodeValue(body, entry.kind, name, v);
    }
  }
  return new ByteWriter().varint(body.size).append(body);
}

function decodeValue(r: ByteReader, kind: Kind): unknown {
  switch (kind) {
    case 'bool':
      return r.u8() !== 0;
    case 'u8':
      return r.u8();
    case 'u16':
      return r.u16();
    case 'u32':
      return r.u32();
    case 'varint':
      return r.varint();
    case 'string':
      return r.string();
    case 'binary':
      return r.binary();
    case 'pair':
      return [r.string(), r.string()];
  }
}

/** Reads a property block; repeated properties become arrays, as mqtt-packet makes them. */
export function decodeProperties(r: ByteReader): Properties {
  const length = r.varint();
  if (length > r.left) r.fail(`properties of ${length} bytes, ${r.left} left`);
  const end = r.offset + length;
  const out: Record<string, unknown> = {};
  while (r.offset < end) {
    const id = r.u8();
    const entry = BY_ID.get(id);
    if (!entry) r.fail(`unknown property ${id}`);
    const value = decodeValue(r, entry.kind);
    if (r.offset > end) r.fail('property runs past the property block');
    if (entry.kind === 'pair') {
      const [key, text] = value as [string, string];
      const pairs = (out.userProperties ??= Object.create(null)) as Record<string, unknown>;
      const seen = pairs[key];
      pairs[key] = seen === undefined ? text : Array.isArray(seen) ? [...seen, text] : [seen, text];
      continue;
    }
    const seen = out[entry.name];
    out[entry.name] =
      seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
