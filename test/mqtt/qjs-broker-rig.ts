// The set-up of the qjs-broker suites: the trial bundle built, test certificates and one real
// mosquitto with a plain, an IPv6, a password and three TLS listeners (right CA, another CA,
// another name), all on loopback; MQTT.js clients under Node are the other side.
import mqtt, { type MqttClient } from 'mqtt';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildTrial } from '../qjs/build-trial.ts';
import { makeCertificates } from './certificates.ts';
import { passwordFile, startMosquitto, type Mosquitto } from './mosquitto.ts';
import { QJS } from './processes.ts';
import { freePort, tempDir } from './scratch.ts';

export const USER = 'router-1';
export const PASSWORD = 'pa ss:word';

export interface BrokerRig {
  readonly dir: { readonly path: string };
  readonly ports: Readonly<
    Record<'plain' | 'ipv6' | 'auth' | 'tls' | 'evil' | 'otherName', number>
  >;
  /** MQTT.js clients the suite opened: ended after its last test. */
  readonly nodeClients: MqttClient[];
  broker(): Mosquitto;
  bundleSize(): { bytes: number; gzipBytes: number };
  /** The trial's TLS options: the CA and the client certificate. */
  tlsArgs(): string[];
  /** An MQTT.js client under Node on the plain listener, subscribed to `topic`. */
  watcher(topic: string): Promise<{ messages: { topic: string; payload: string }[] }>;
}

/** Registers the suite's before/after hooks around one broker. */
export function brokerRig(test: Test): BrokerRig {
  const dir = tempDir();
  const ports = { plain: 0, ipv6: 0, auth: 0, tls: 0, evil: 0, otherName: 0 };
  let broker: Mosquitto | undefined;
  const nodeClients: MqttClient[] = [];
  let bundleSize = { bytes: 0, gzipBytes: 0 };

  test.before(async () => {
    assert.ok(existsSync(QJS), `${QJS} is missing: run npm run build first`);
    bundleSize = await buildTrial();
    makeCertificates(dir.path);
    const pw = passwordFile(dir.path, USER, PASSWORD);
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    const tlsListener = (port: number, cert: string): string =>
      `listener ${port} 127.0.0.1\nallow_anonymous true\n` +
      `cafile ${dir.path}/ca.crt\ncertfile ${dir.path}/${cert}.crt\nkeyfile ${dir.path}/${cert}.key\n` +
      `require_certificate true\n`;
    broker = await startMosquitto(
      dir.path,
      'per_listener_settings true\n' +
        `listener ${ports.plain} 127.0.0.1\nallow_anonymous true\n` +
        `listener ${ports.ipv6} ::1\nallow_anonymous true\n` +
        `listener ${ports.auth} 127.0.0.1\nallow_anonymous false\npassword_file ${pw}\n` +
        tlsListener(ports.tls, 'server') +
        tlsListener(ports.evil, 'evil-server') +
        tlsListener(ports.otherName, 'other-name'),
      Object.values(ports).map((port) => ({ host: '127.0.0.1', port })),
    );
  });

  test.after(async () => {
    for (const client of nodeClients) client.end(true);
    await broker?.stop();
    dir.remove();
  });

  return {
    dir,
    ports,
    nodeClients,
    broker: () => broker!,
    bundleSize: () => bundleSize,
    tlsArgs: () => {
      const file = (name: string): string => join(dir.path, name);
      return ['--ca', file('ca.crt'), '--cert', file('client.crt'), '--key', file('client.key')];
    },
    watcher: async (topic) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.plain}`, {
        reconnectPeriod: 0,
      });
      nodeClients.push(client);
      const messages: { topic: string; payload: string }[] = [];
      client.on('message', (t, payload) =>
        messages.push({ topic: t, payload: payload.toString() }),
      );
      await client.subscribeAsync(topic, { qos: 1 });
      return { messages };
    },
  };
}
