// The service's MQTT connection (MQTT.js on Node): TLS files and credentials from the config,
// MQTT 5, a persistent session is not needed (retained documents come again on subscribe).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { FleetServiceConfig } from '../service/fleet-service.ts';

export async function connectBroker(
  config: FleetServiceConfig['mqtt'] & { readonly clientId?: string },
): Promise<MqttClient> {
  const file = (path: string | undefined) => (path ? readFileSync(path) : undefined);
  return mqtt.connectAsync(config.url, {
    protocolVersion: 5,
    // The configured id is a prefix: each connection must be unique, or the broker drops the
    // older one (two instances, or two services in one process).
    clientId: `${config.clientId ?? 'op25b-portal'}-${randomBytes(6).toString('hex')}`,
    clean: true,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
    ...(config.username !== undefined && { username: config.username }),
    ...(config.password !== undefined && { password: config.password }),
    ...(config.ca !== undefined && { ca: file(config.ca) }),
    ...(config.cert !== undefined && { cert: file(config.cert) }),
    ...(config.key !== undefined && { key: file(config.key) }),
  });
}
