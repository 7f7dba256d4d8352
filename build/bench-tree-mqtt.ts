// The tree bench's ISP side over MQTT: waiting for a router to come online and publishing the
// signed desired state a signed run starts from.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { keygen } from '../tools/sign/keygen.ts';
import { desiredClaims, signDesired, signingKey } from '../tools/sign/tokens.ts';
import { DEVICE, PLAIN_PORT, SIGNED_DEVICE, sleep, type Signed } from './bench-tree-rig.ts';

/** Waits until `device` is online, and with `version`, until it reports that version in force. */
export async function waitOnline(port: number, device = DEVICE, version?: number): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: 'bench-tree-isp',
  });
  try {
    let online = false;
    let applied = version === undefined;
    const ready = new Promise<void>((resolve) =>
      client.on('message', (topic, payload) => {
        if (!payload.length) return;
        const message = JSON.parse(payload.toString());
        if (topic.endsWith('/state')) online ||= message.online === true;
        else applied ||= message.policy?.version === version;
        if (online && applied) resolve();
      }),
    );
    await client.subscribeAsync([`op25b/v1/${device}/state`, `op25b/v1/${device}/status`]);
    await Promise.race([
      ready,
      sleep(15_000).then(() => Promise.reject(new Error(`${device} did not come online`))),
    ]);
  } finally {
    await client.endAsync();
  }
}

export async function publishRetained(topic: string, payload: string): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${PLAIN_PORT}`, {
    clientId: 'bench-tree-signer',
  });
  try {
    await client.publishAsync(topic, payload, { qos: 1, retain: true });
  } finally {
    await client.endAsync();
  }
}

/** A key pair, the public half where the daemon reads it, and a desired state signed with it. */
export async function signedSetting(dir: string): Promise<Signed> {
  const keyDir = join(dir, 'tree-signed-keys');
  mkdirSync(keyDir, { recursive: true });
  const files = keygen(keyDir, true);
  const key = signingKey(readFileSync(files.privateFile, 'utf8'));
  const claims = desiredClaims({ enabled: true, action: 'reject' }, 1);
  const { token } = await signDesired(key, SIGNED_DEVICE, claims, 3600);
  return { keyFile: files.publicFile, token };
}
