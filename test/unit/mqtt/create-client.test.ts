// createMqttClient (agent/mqtt/create-client.ts): options checked before any transport program
// starts; what the CONNECT carries (parsed by mqtt-packet).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../../agent/input-error.ts';
import {
  createMqttClient,
  MAX_PACKET_BYTES,
  type MqttClientOptions,
} from '../../../agent/mqtt/create-client.ts';
import type { Timer } from '../../../agent/runtime/runtime.ts';
import { oracleParse } from './codec-oracle.ts';

function scripted() {
  const spawned: string[][] = [];
  const writes: Uint8Array[] = [];
  const runtime = {
    spawn: (argv: readonly string[]) => {
      spawned.push([...argv]);
      return {
        pid: 1,
        write: (data: Uint8Array | string) => void writes.push(data as Uint8Array),
        closeStdin: () => {},
        kill: () => {},
      };
    },
    setTimeout: (): Timer => ({}) as Timer,
    clearTimeout: () => {},
  };
  return { runtime, spawned, writes };
}

const base: MqttClientOptions = {
  broker: 'mqtt://127.0.0.1:1883',
  clientId: 'router-1',
  protocolVersion: 5,
};

test('invalid options: InputError, and no transport program started', () => {
  const bad: [Partial<MqttClientOptions>, RegExp][] = [
    [{ protocolVersion: 3 as never }, /protocolVersion/],
    [{ clientId: '' }, /clientId/],
    [{ clientId: 'a\nb' }, /control characters/],
    [{ keepaliveSeconds: 70000 }, /keepaliveSeconds/],
    [{ connectTimeoutMs: 0 }, /connectTimeoutMs/],
    [{ readLimitBytes: 10 }, /readLimitBytes/],
    [{ will: { topic: 'a/+', payload: 'x' } }, /will topic/],
    [{ will: { topic: 'a', payload: 'x', qos: 3 as never } }, /will qos/],
    [{ protocolVersion: 4, properties: { sessionExpiryInterval: 1 } }, /MQTT 5 only/],
    [{ properties: { noSuchProperty: 1 } }, /unknown MQTT 5 property noSuchProperty/],
    [{ properties: { sessionExpiryInterval: -1 } }, /invalid MQTT 5 property/],
    [{ username: 'x'.repeat(70000) }, /username/],
  ];
  for (const [options, pattern] of bad) {
    const s = scripted();
    assert.throws(
      () => createMqttClient(s.runtime, { ...base, ...options }),
      (e: Error) => e instanceof InputError && pattern.test(e.message),
      JSON.stringify(options).slice(0, 80),
    );
    assert.equal(s.spawned, []);
  }
});

test('CONNECT: credentials, Will with properties, Maximum Packet Size; one write', () => {
  const s = scripted();
  createMqttClient(s.runtime, {
    ...base,
    keepaliveSeconds: 30,
    username: 'router-1',
    password: 'pa ss:wörd',
    will: {
      topic: 'op25b/v1/router-1/state',
      payload: '{"online":false}',
      qos: 1,
      retain: true,
      properties: { willDelayInterval: 5 },
    },
    properties: { sessionExpiryInterval: 60 },
  });
  assert.equal(
    s.spawned.map((argv) => argv[0]),
    ['socat'],
  ); // its argv: test/mqtt/transport-command.test.ts
  assert.is(s.writes.length, 1);
  const { packets, errors } = oracleParse(s.writes[0]!, 5);
  assert.equal(errors, []);
  const c = packets[0]!;
  assert.equal(
    [c.cmd, c.clientId, c.keepalive, c.clean, c.username, String(c.password)],
    ['connect', 'router-1', 30, true, 'router-1', 'pa ss:wörd'],
  );
  assert.equal(c.properties, { sessionExpiryInterval: 60, maximumPacketSize: MAX_PACKET_BYTES });
  assert.equal(
    [c.will.topic, String(c.will.payload), c.will.qos, c.will.retain, c.will.properties],
    ['op25b/v1/router-1/state', '{"online":false}', 1, true, { willDelayInterval: 5 }],
  );
});

test.run();
