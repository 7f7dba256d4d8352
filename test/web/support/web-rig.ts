// The browser tests' rig: a private mosquitto on 127.0.0.1, `npm run portal` itself (the real
// service in a child process: PGlite in a temp directory, a generated Ed25519 key, a free port on
// 127.0.0.1), accounts per role with API tokens, and routers played by MQTT clients that publish
// schema-valid state/status documents and answer like the agent (test/portal/support).
import { execFile } from 'node:child_process';
import { cpSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { AccountsStore } from '../../../portal/auth/accounts-store.ts';
import type { Role } from '../../../portal/core/operator.ts';
import { openDb } from '../../../portal/store/db.ts';
import { migrate } from '../../../portal/store/migrate.ts';
import { ROOT, tempDir } from '../../mqtt/helpers.ts';
import { startPortal, type Portal } from '../../portal/http/cli-run.ts';
import { BOOT_A } from '../../portal/support/documents.ts';
import {
  makeKeys,
  startRouter,
  startTestBroker,
  waitForValue,
  type Broker,
  type Keys,
  type RouterOptions,
} from '../../portal/support/portal-rig.ts';

export const ROLES = ['admin', 'operator', 'viewer'] as const;

export interface Account {
  readonly name: string;
  readonly password: string;
  readonly role: Role;
  readonly token: string;
}

export type SimRouter = Awaited<ReturnType<typeof startRouter>>;

interface Template {
  readonly dir: string;
  readonly accounts: Record<Role, Account>;
}

const templateDir = tempDir();
let template: Promise<Template> | null = null;

/**
 * A migrated PGlite data directory with one account and token per role, made once per test run
 * (a fresh PGlite takes seconds) and copied for each rig, so every test file starts clean.
 */
function accountsTemplate(): Promise<Template> {
  template ??= (async () => {
    const dir = join(templateDir.path, 'data');
    const db = await openDb({ dataDir: dir });
    try {
      await migrate(db);
      const store = new AccountsStore(db);
      const accounts = {} as Record<Role, Account>;
      for (const role of ROLES) {
        const name = `${role}1`;
        const password = `${role}-password-1`;
        await store.addAccount(name, role, password);
        const { token } = await store.createToken(name, 'browser tests');
        accounts[role] = { name, password, role, token };
      }
      return { dir, accounts };
    } finally {
      await db.close();
    }
  })();
  return template;
}
process.on('exit', () => templateDir.remove());

let bundle: Promise<unknown> | null = null;

/** The pages bundle (dist/web) built from the sources under test, once per test run. */
function buildPages(): Promise<unknown> {
  bundle ??= promisify(execFile)(process.execPath, ['--import', 'tsx', 'build/web.ts'], {
    cwd: ROOT,
  });
  return bundle;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: any;
}

export interface WebRig {
  /** The service's base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly broker: Broker;
  readonly keys: Keys;
  readonly portal: Portal;
  readonly accounts: Record<Role, Account>;
  readonly routers: SimRouter[];
  /** A router played by an MQTT client; waits until the service lists it. */
  addRouter(
    id: string,
    options?: Partial<Omit<RouterOptions, 'id' | 'brokerUrl' | 'publicPem'>>,
  ): Promise<SimRouter>;
  /** A JSON API call with the role's token (path below /api/v1). */
  api(method: string, path: string, role: Role, body?: unknown): Promise<ApiAnswer>;
  /** Polls `check` until it returns a value (not undefined). */
  until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface WebRigOptions {
  /** PORTAL_REPLY_TIMEOUT_MS (a rollout wave waits this long for missing replies). */
  readonly replyTimeoutMs?: number;
}

export async function startWebRig(options: WebRigOptions = {}): Promise<WebRig> {
  const data = tempDir();
  const cleanups: (() => Promise<void> | void)[] = [data.remove];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
  };
  const started = <T>(p: Promise<T>, cleanup: (value: T) => Promise<void> | void) =>
    p.then((value) => (cleanups.push(() => cleanup(value)), value));
  try {
    const [{ dir: templatePath, accounts }, , broker, keys] = await Promise.all([
      accountsTemplate(),
      buildPages(),
      started(startTestBroker(), (b) => b.stop()),
      started(makeKeys(), (k) => k.remove()),
    ]);
    const dataDir = join(data.path, 'portal');
    cpSync(templatePath, dataDir, { recursive: true });
    const portal = await startPortal({
      PORTAL_DATA: dataDir,
      MQTT_URL: broker.url,
      PORTAL_SIGNING_KEY: keys.privateFile,
      PORTAL_REPLY_TIMEOUT_MS: String(options.replyTimeoutMs ?? 3000),
    });
    cleanups.push(async () => {
      await portal.stop();
    });
    const routers: SimRouter[] = [];
    cleanups.push(async () => {
      for (const r of routers) await r.stop();
    });
    const api = async (method: string, path: string, role: Role, body?: unknown) => {
      const res = await fetch(`${portal.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${accounts[role].token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: json as any };
    };
    return {
      url: portal.url,
      broker,
      keys,
      portal,
      accounts,
      routers,
      api,
      until: waitForValue,
      async addRouter(id, o = {}) {
        const router = await startRouter({
          boot: BOOT_A,
          ...o,
          id,
          brokerUrl: broker.url,
          publicPem: keys.publicPem,
        });
        routers.push(router);
        await waitForValue(
          `router ${id} listed`,
          async () => {
            const r = await api('GET', `/routers/${id}`, 'viewer');
            return r.status === 200 && r.body.online ? true : undefined;
          },
          20_000,
        );
        return router;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
