// Shared pieces of the HTTP tests: a real PGlite (in memory, migrated), the app over it, accounts
// and tokens per role, a request helper, and a validator of responses against the OpenAPI
// document the app serves.
import Ajv2020 from 'ajv/dist/2020.js';
import type { Hono } from 'hono';
import { AccountsStore } from '../../../portal/auth/accounts-store.ts';
import { AuditStore } from '../../../portal/auth/audit-store.ts';
import { LoginRateLimiter } from '../../../portal/auth/login-rate-limit.ts';
import type { AppEnv } from '../../../portal/http/app-env.ts';
import { createApp } from '../../../portal/http/app.ts';
import { openApiDocument } from '../../../portal/http/openapi.ts';
import type { FleetService } from '../../../portal/service/fleet-service.ts';
import { openDb, type Db } from '../../../portal/store/db.ts';
import { migrate } from '../../../portal/store/migrate.ts';

export const ORIGIN = 'http://127.0.0.1:8080';
/** A TLS proxy in front of the service, listed in allowedOrigins. */
export const PROXY_ORIGIN = 'https://noc.example';

export interface Rig {
  readonly db: Db;
  readonly app: Hono<AppEnv>;
  readonly accounts: AccountsStore;
  readonly audit: AuditStore;
  readonly tokens: { viewer: string; operator: string; admin: string };
  readonly log: string[];
}

export async function openRig(fleet: FleetService, db?: Db): Promise<Rig> {
  db ??= await openDb({});
  await migrate(db);
  const accounts = new AccountsStore(db);
  const audit = new AuditStore(db);
  const log: string[] = [];
  const app = createApp({
    fleet,
    accounts,
    audit,
    settings: {
      sessionTtlS: 3600,
      allowedOrigins: [PROXY_ORIGIN],
      loginMaxFailures: 3,
      loginWindowS: 60,
    },
    clientAddress: (req) => req.headers.get('x-test-client') ?? '127.0.0.1',
    log: (line) => log.push(line),
    loginLimiter: new LoginRateLimiter({ maxFailures: 3, windowMs: 60_000 }),
  });
  const tokens = { viewer: '', operator: '', admin: '' };
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    await accounts.addAccount(`${role}1`, role, `${role}-password-1`);
    tokens[role] = (await accounts.createToken(`${role}1`, 'test')).token;
  }
  return { db, app, accounts, audit, tokens, log };
}

export interface Call {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(
  app: Hono<AppEnv>,
  method: string,
  path: string,
  opts: Call = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined && !headers['content-type'])
    headers['content-type'] = 'application/json';
  const body =
    opts.body === undefined
      ? undefined
      : typeof opts.body === 'string'
        ? opts.body
        : JSON.stringify(opts.body);
  return app.request(`${ORIGIN}/api/v1${path}`, {
    method,
    headers,
    ...(body !== undefined && { body }),
  });
}

/** The app's routes (method, OpenAPI-style path), from Hono's own table. */
export function appRoutes(app: Hono<AppEnv>): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const r of app.routes) {
    if (r.method === 'ALL') continue; // middleware
    if (!r.path.startsWith('/api/v1/')) continue; // the web pages (web-routes.ts)
    const path = r.path.replace(/^\/api\/v1/, '').replace(/:([a-z]+)/g, '{$1}');
    const key = `${r.method} ${path}`;
    if (!seen.has(key)) out.push({ method: r.method, path });
    seen.add(key);
  }
  return out;
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

/** Checks a response against the schema the OpenAPI document gives its path, method and status. */
export function responseChecker() {
  const doc = openApiDocument() as {
    paths: Record<
      string,
      Record<
        string,
        { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
      >
    >;
  };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => !Number.isNaN(Date.parse(s)) && /T/.test(s),
  });
  ajv.addSchema({ ...doc, $id: 'urn:op25b-portal:openapi' });
  const cache = new Map<string, Validate>();
  let checked = 0;
  return {
    get checked() {
      return checked;
    },
    /** Validates `body` (parsed JSON) and throws listing the problems. */
    check(method: string, path: string, status: number, body: unknown): void {
      const op = doc.paths[path]?.[method.toLowerCase()];
      if (!op) throw new Error(`OpenAPI has no ${method} ${path}`);
      const response = op.responses[String(status)];
      if (!response) throw new Error(`OpenAPI has no status ${status} for ${method} ${path}`);
      const schema = response.content?.['application/json']?.schema as
        { $ref?: string } | undefined;
      if (!schema) throw new Error(`OpenAPI has no JSON body for ${status} of ${method} ${path}`);
      const key = schema.$ref ?? `${method} ${path} ${status}`;
      let validate = cache.get(key);
      if (!validate) {
        validate = ajv.compile(
          schema.$ref ? { $ref: `urn:op25b-portal:openapi${schema.$ref}` } : schema,
        ) as Validate;
        cache.set(key, validate);
      }
      if (!validate(body))
        throw new Error(
          `${method} ${path} ${status} does not fit the OpenAPI document: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`,
        );
      checked++;
    },
  };
}
