// For the simulator's tests: a private mosquitto on 127.0.0.1 (test/mqtt/helpers.ts), a
// subscriber that records every message under the prefix, and a fleet with test settings.
import { connect, type MqttClient } from 'mqtt';
import { FLEET_DEFAULTS, Fleet, type FleetOptions } from '../../sim/fleet.ts';
import { freePort, startMosquitto, tempDir, waitFor, type Mosquitto } from '../mqtt/helpers.ts';

export interface Broker {
  readonly url: string;
  readonly port: number;
  mosquitto: Mosquitto;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBroker(): Promise<Broker> {
  const dir = tempDir();
  const port = await freePort();
  const config = `listener ${port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\nmax_queued_messages 10000\n`;
  const start = () => startMosquitto(dir.path, config, [{ host: '127.0.0.1', port }]);
  const broker: Broker = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    mosquitto: await start(),
    async restart() {
      await broker.mosquitto.stop();
      broker.mosquitto = await start();
    },
    async stop() {
      await broker.mosquitto.stop();
      dir.remove();
    },
  };
  return broker;
}

export interface Seen {
  readonly topic: string;
  readonly text: string;
  readonly retain: boolean;
}

export interface Recorder {
  readonly messages: Seen[];
  readonly client: MqttClient;
  /** Documents of one kind (`state`, `status`, `reply`) from one router (or all). */
  documents(kind: string, id?: string): Record<string, unknown>[];
  publish(topic: string, payload: string, retain: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Subscribes to `<prefix>/#` with QoS 1 and keeps everything that arrives. */
export async function record(
  url: string,
  prefix: string = FLEET_DEFAULTS.prefix,
): Promise<Recorder> {
  const client = connect(url, {
    clientId: `recorder-${process.pid}-${Date.now()}`,
    reconnectPeriod: 0,
  });
  const messages: Seen[] = [];
  client.on('message', (topic, payload, packet) =>
    messages.push({ topic, text: payload.toString('utf8'), retain: packet.retain }),
  );
  await new Promise<void>((resolve, reject) => {
    client.once('error', reject);
    client.once('connect', () => resolve());
  });
  await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
  return {
    messages,
    client,
    documents: (kind, id) =>
      messages
        .filter(
          (m) =>
            m.topic.endsWith(`/${kind}`) &&
            (id === undefined || m.topic === `${prefix}/${id}/${kind}`),
        )
        .filter((m) => m.text !== '')
        .map((m) => JSON.parse(m.text) as Record<string, unknown>),
    publish: async (topic, payload, retain) => {
      await client.publishAsync(topic, payload, { qos: 1, retain });
    },
    close: () => client.endAsync(),
  };
}

export function testFleet(url: string, options: Partial<FleetOptions>): Fleet {
  return new Fleet({
    ...FLEET_DEFAULTS,
    url,
    routers: 10,
    intervalS: 2,
    verifyKey: null,
    counts: { infected: 2, static: 2, flaky: 0, errors: 1 },
    seed: 5,
    rampS: 0.5,
    flakyUpS: [3600, 3600],
    flakyDownS: [1, 1],
    reconnectMaxS: 2,
    ...options,
  });
}

export const waitLong = <T>(what: string, check: () => T | undefined, ms = 20_000) =>
  waitFor(what, check, ms);
