// What the handlers get: the services as parameters (no globals, no adapter), and per request
// the authenticated operator.
import type { AccountsStore } from '../auth/accounts-store.ts';
import type { AuditStore } from '../auth/audit-store.ts';
import type { LoginRateLimiter } from '../auth/login-rate-limit.ts';
import type { Operator } from '../core/operator.ts';
import type { FleetService } from '../service/fleet-service.ts';

export interface HttpSettings {
  readonly sessionTtlS: number;
  readonly allowedOrigins: readonly string[];
  readonly loginMaxFailures: number;
  readonly loginWindowS: number;
}

export interface AppDeps {
  readonly fleet: FleetService;
  readonly accounts: AccountsStore;
  readonly audit: AuditStore;
  readonly settings: HttpSettings;
  /** The client's address as the adapter sees it (for the login rate limit and the log). */
  readonly clientAddress: (request: Request, env: unknown) => string;
  readonly log: (line: string) => void;
  /** The built web pages (dist/web by default, see web-routes.ts). */
  readonly webDir?: URL;
  /** Injected in tests; built from settings otherwise. */
  readonly loginLimiter?: LoginRateLimiter;
}

export type AppEnv = {
  Variables: {
    operator: Operator;
    /** How the operator was authenticated: session requests are CSRF-checked. */
    via: 'token' | 'session';
  };
};
