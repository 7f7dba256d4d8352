// The rig of the service tests: a private mosquitto, a key pair, accounts written straight into
// a temp data directory (as `fleet user add` does) and `npm run portal` started on them; an api
// helper that checks every answer against the OpenAPI document. Started before the file's tests.
import type { Test } from 'uvu';
import { AccountsStore } from '../../../portal/auth/accounts-store.ts';
import { openDb } from '../../../portal/store/db.ts';
import { migrate } from '../../../portal/store/migrate.ts';
import { tempDir } from '../../mqtt/helpers.ts';
import { makeKeys, type Keys } from '../support/signing-keys.ts';
import { startTestBroker, type Broker } from '../support/test-broker.ts';
import type { TestRouter } from '../support/test-router.ts';
import { startPortal, type Portal } from './cli-run.ts';
import { responseChecker } from './support.ts';

export function serviceRig(test: Test) {
  const dir = tempDir();
  const checker = responseChecker();
  const tokens = { viewer: '', operator: '' };
  /** The routers a test started, stopped after the file's tests. */
  const routers: TestRouter[] = [];
  let broker: Broker | undefined;
  let keys: Keys | undefined;
  let portal: Portal | undefined;

  test.before(async () => {
    broker = await startTestBroker();
    keys = await makeKeys();
    // Accounts straight in the data directory, as `fleet user add` does, before the service runs.
    const db = await openDb({ dataDir: dir.path });
    await migrate(db);
    const accounts = new AccountsStore(db);
    for (const role of ['viewer', 'operator'] as const) {
      await accounts.addAccount(`${role}1`, role, `${role}-password-1`);
      tokens[role] = (await accounts.createToken(`${role}1`, 'test')).token;
    }
    await db.close();
    portal = await startPortal({
      PORTAL_DATA: dir.path,
      MQTT_URL: broker.url,
      PORTAL_SIGNING_KEY: keys.privateFile,
    });
  });

  test.after(async () => {
    for (const r of routers) await r.stop().catch(() => {});
    if (portal && portal.child.exitCode === null) await portal.stop();
    await broker?.stop();
    keys?.remove();
    dir.remove();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the service rig is not started');
    return value;
  };
  const rig = {
    dir,
    checker,
    tokens,
    routers,
    get broker() {
      return started(broker);
    },
    get keys() {
      return started(keys);
    },
    get portal() {
      return started(portal);
    },
    api,
    waitForList,
  };

  async function api(method: string, spec: string, path: string, token?: string, body?: unknown) {
    const res = await fetch(`${rig.portal.url}/api/v1${path}`, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as any;
    checker.check(method, spec, res.status, json);
    return { status: res.status, body: json };
  }

  async function waitForList(n: number) {
    let last: any;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      last = (await api('GET', '/routers', '/routers?sort=id', tokens.viewer)).body;
      if (last.total === n) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the fleet list never held ${n} routers: ${JSON.stringify(last)}`);
  }

  return rig;
}
