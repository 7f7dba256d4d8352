// The service's MQTT connection (MQTT.js on Node): TLS files and credentials from the config,
// MQTT 5, a persistent session is not needed (retained documents come again on subscribe).
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { FleetServiceConfig } from '../service/fleet-service.ts';

export async function connectBroker(
  config: FleetServiceConfig['mqtt'] & { readonly clientId?: string },
): Promise<MqttClient> {
  const file = (path: string | undefined) => (path ? readFileSync(path) : undefined);
  return mqtt.connectAsync(config.url, {
    protocolVersion: 5,
    clientId: config.clientId ?? `op25b-portal-${process.pid}-${Date.now().toString(36)}`,
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
