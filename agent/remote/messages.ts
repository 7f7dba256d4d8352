// The documents the router publishes besides the status: presence and replies.
import { FirewallError } from '../firewall/backend.ts';
import { InputError } from '../input-error.ts';
import { StorageError } from '../storage-error.ts';
import { AGENT_VERSION } from '../version.ts';

export interface ErrorObject {
  readonly code: string;
  readonly message: string;
}

/** Presence on `state` (retained). The Last Will is the same with online false. */
export function stateMessage(online: boolean, boot: string, now: number) {
  return { online, boot, agent_version: AGENT_VERSION, at: new Date(now).toISOString() };
}

/** The reply to a desired state: its version (null when unreadable) and the outcome. */
export function desiredReply(version: number | null, error: ErrorObject | null, note?: string) {
  return {
    version,
    ok: error === null,
    ...(error && { error }),
    ...(note !== undefined && { note }),
  };
}

/** The reply to a command: its id (null when unreadable), the outcome and any result. */
export function commandReply(
  id: string | null,
  error: ErrorObject | null,
  result?: Record<string, unknown>,
) {
  return { id, ok: error === null, ...(error && { error }), ...(result && { result }) };
}

/** A stable {code, message} for any failure; unexpected ones keep their text under `internal`. */
export function errorObject(error: unknown): ErrorObject {
  if (error instanceof InputError) return { code: error.code, message: error.message };
  if (error instanceof StorageError) return { code: error.code, message: error.message };
  if (error instanceof FirewallError) return { code: 'firewall_failed', message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
