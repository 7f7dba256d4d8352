// The portal's integration rig: one private mosquitto and one Ed25519 key pair per test file,
// and portals on the shared PGlite with a router played by an MQTT client. The pieces live in
// their own files; they are re-exported here for the benches, the simulator and the web tests.
import type { Test } from 'uvu';
import type { Db } from '../../../portal/store/db.ts';
import { waitFor } from '../../mqtt/helpers.ts';
import { BOOT_A, deviceId } from './documents.ts';
import { emptyFleet, sharedPglite } from './shared-pglite.ts';
import { makeKeys, type Keys } from './signing-keys.ts';
import { startTestBroker, type Broker } from './test-broker.ts';
import { startPortal, type PortalOptions, type TestPortal } from './test-portal.ts';
import { startRouter, type RouterOptions, type TestRouter } from './test-router.ts';
import { waitForValue } from './wait-for-value.ts';

export * from './memory-audit.ts';
export * from './signing-keys.ts';
export * from './test-broker.ts';
export * from './test-portal.ts';
export * from './test-router.ts';
export * from './wait-for-value.ts';
export { waitFor };

/** What a test file shares: one broker and one key pair, started before its tests. */
export interface SharedRig {
  readonly broker: Broker;
  readonly keys: Keys;
}

/** Registers the hooks that start the file's broker and keys before its tests and remove them. */
export function sharedRig(test: Test): SharedRig {
  let broker: Broker | null = null;
  let keys: Keys | null = null;
  test.before(async () => {
    broker = await startTestBroker();
    keys = await makeKeys();
  });
  test.after(async () => {
    await broker?.stop();
    keys?.remove();
  });
  const started = <T>(value: T | null): T => {
    if (value === null) throw new Error('the shared broker and keys are not started');
    return value;
  };
  return {
    get broker() {
      return started(broker);
    },
    get keys() {
      return started(keys);
    },
  };
}

export interface PortalWithRouter {
  readonly db: Db;
  readonly id: string;
  readonly portal: TestPortal;
  readonly router: TestRouter;
  /** Stops the router, then the portal. */
  stop(): Promise<void>;
}

/** An emptied shared PGlite and a portal on it, signing with the shared key unless told otherwise. */
export async function portalOnEmptyFleet(
  rig: SharedRig,
  options: Partial<Omit<PortalOptions, 'db' | 'brokerUrl'>> = {},
): Promise<{ readonly db: Db; readonly portal: TestPortal }> {
  const db = await sharedPglite();
  await emptyFleet(db);
  const portal = await startPortal({
    db,
    brokerUrl: rig.broker.url,
    signer: options.signer ?? (await rig.keys.signer()),
    ...options,
  });
  return { db, portal };
}

/** portalOnEmptyFleet, and router `deviceId(n)` in BOOT_A once the portal has it online. */
export async function portalWithRouter(
  rig: SharedRig,
  n: number,
  options: {
    readonly portal?: Partial<Omit<PortalOptions, 'db' | 'brokerUrl'>>;
    readonly router?: Partial<Omit<RouterOptions, 'id' | 'brokerUrl' | 'publicPem'>>;
  } = {},
): Promise<PortalWithRouter> {
  const { db, portal } = await portalOnEmptyFleet(rig, options.portal);
  const id = deviceId(n);
  const stop = async () => {
    await router?.stop();
    await portal.stop();
  };
  let router: TestRouter | undefined;
  try {
    router = await startRouter({
      id,
      boot: BOOT_A,
      brokerUrl: rig.broker.url,
      publicPem: rig.keys.publicPem,
      ...options.router,
    });
    await waitForValue('router online in the portal', async () =>
      (await portal.getRouter(id))?.online ? true : undefined,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { db, id, portal, router, stop };
}
