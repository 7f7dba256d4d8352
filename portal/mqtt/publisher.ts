// Publishing to routers: QoS 1, resolved only when the broker acknowledged. Only signed tokens
// leave here: an empty payload (which would wipe a retained desired state on the broker) or
// anything that is not a compact JWS is refused before it reaches the client.
import type { MqttClient } from 'mqtt';

export interface Publisher {
  publish(topic: string, token: string, retain: boolean): Promise<void>;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class RefusedPayload extends Error {}

export function mqttPublisher(client: MqttClient, timeoutMs = 10_000): Publisher {
  return {
    // Checks fail as rejections, never throws. One promise and one timer per publish (many are in
    // flight at once in a bulk action).
    publish(topic, token, retain) {
      if (!COMPACT_JWS.test(token))
        return Promise.reject(
          new RefusedPayload('refusing to publish an unsigned or empty payload'),
        );
      if (!client.connected) return Promise.reject(new Error('not connected to the broker'));
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the broker did not acknowledge in time')),
          timeoutMs,
        );
        client.publish(topic, token, { qos: 1, retain }, (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}
