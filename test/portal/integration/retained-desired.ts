// Reads the desired state the broker retains for a router, as a fresh subscriber gets it (null
// when nothing is retained within half a second): what a router coming online would be given.
import mqtt from 'mqtt';
import type { SharedRig } from '../support/portal-rig.ts';
import { PREFIX } from '../support/test-portal.ts';

/** retainedDesired(id) on the file's shared broker. */
export function retainedDesiredOn(rig: SharedRig): (id: string) => Promise<string | null> {
  return async function retainedDesired(id: string): Promise<string | null> {
    const c = await mqtt.connectAsync(rig.broker.url, { clientId: `peek-${Date.now()}` });
    const got = new Promise<string | null>((resolve) => {
      c.on('message', (_t, payload) => resolve(payload.toString()));
      setTimeout(() => resolve(null), 500);
    });
    await c.subscribeAsync(`${PREFIX}/${id}/desired`, { qos: 1 });
    const value = await got;
    await c.endAsync();
    return value;
  };
}
