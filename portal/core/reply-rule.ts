// How a router's reply settles a request it answers: a desired state by its version, a command
// by its id. Replies without either (a refused JWS, whose payload the router does not read)
// settle the oldest open request to that router, as the contract says: correlate them by time.
import type { ReplyDoc } from '../../contract/message-types.ts';
import type { ActionStatus } from './action.ts';

export type ReplyKey =
  | { readonly by: 'version'; readonly version: number }
  | { readonly by: 'id'; readonly id: string }
  | { readonly by: 'oldest-open' };

export function replyKey(reply: ReplyDoc): ReplyKey {
  if ('id' in reply) return reply.id === null ? { by: 'oldest-open' } : { by: 'id', id: reply.id };
  return reply.version === null ? { by: 'oldest-open' } : { by: 'version', version: reply.version };
}

export function replyStatus(reply: ReplyDoc): ActionStatus {
  return reply.ok ? 'ok' : 'error';
}

/** Requests still waiting for an answer (a late reply still settles them). */
export const OPEN_STATUSES: readonly ActionStatus[] = [
  'sent',
  'pending: router offline',
  'no reply',
];

/**
 * The status of a request nobody answered: `pending: router offline` stays while the router is
 * away (a retained desired state reaches it when it comes back); `sent` becomes `no reply` after
 * the timeout.
 */
export function timedOutStatus(
  status: ActionStatus,
  sentAtMs: number,
  nowMs: number,
  timeoutMs: number,
): ActionStatus {
  if (status === 'sent' && nowMs - sentAtMs >= timeoutMs) return 'no reply';
  return status;
}
