// One-shot requests from the ISP on `<prefix>/<id>/cmd`.
import { InputError } from '../input-error.ts';
import {
  CLOCK_LEEWAY_S,
  readClaims,
  refusedClaims,
  rejectUnknownFields,
  withClaims,
  type Claims,
  type ClaimsContext,
} from './claims.ts';

export const COMMAND_OPS = ['report', 'verify', 'reapply'] as const;
export type CommandOp = (typeof COMMAND_OPS)[number];

export interface Command {
  readonly id: string;
  readonly op: CommandOp;
  /** Seconds since the epoch; signed commands always carry one. */
  readonly expiresAt: number | null;
}

// A signed command may live at most this long: the replay cache only has to span this window.
export const MAX_COMMAND_LIFETIME_S = 3600;
const ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function parseCommandMessage(
  payload: string,
  byteLength: number,
  context: ClaimsContext,
): Command {
  const claims = readClaims(payload, byteLength, context);
  return withClaims(claims.body, () => commandFromClaims(claims, context));
}

function commandFromClaims(claims: Claims, context: ClaimsContext): Command {
  rejectUnknownFields(claims.body, ['id', 'op']);
  const { id, op } = claims.body;
  if (typeof id !== 'string' || !ID.test(id))
    throw new InputError('invalid_id', 'id must be 1..64 characters of A-Z a-z 0-9 . _ : -');
  if (!(COMMAND_OPS as readonly unknown[]).includes(op))
    throw new InputError(
      'unknown_op',
      `unknown op ${JSON.stringify(op)}: expected ${COMMAND_OPS.join(', ')}`,
    );
  const lifetime = claims.expiresAt === null ? 0 : claims.expiresAt - context.now;
  if (lifetime > MAX_COMMAND_LIFETIME_S + CLOCK_LEEWAY_S)
    throw new InputError('expiry_too_far', `exp may be at most ${MAX_COMMAND_LIFETIME_S} s ahead`);
  return { id, op: op as CommandOp, expiresAt: claims.expiresAt };
}

/** The id of a refused command, for the reply: only from authentic claims (as versionHint). */
export function commandIdHint(error: unknown): string | null {
  const id = refusedClaims(error)?.id;
  return typeof id === 'string' && ID.test(id) ? id : null;
}

/** At most this many command ids are remembered: a flood of new ids cannot grow memory. */
export const MAX_SEEN_COMMANDS = 1024;

/** Remembers command ids until they expire, so a captured signed command cannot be replayed. */
export class SeenCommands {
  private readonly seen = new Map<string, number>();

  /** False when this id was already seen and has not expired (or too many are); records it. */
  admit(command: Command, now: number): boolean {
    return this.check(command, now) === 'admitted';
  }

  /**
   * 'replayed' when this id was seen and has not expired; 'full' when MAX_SEEN_COMMANDS unexpired
   * ids are remembered already (forgetting one would let it be replayed); else records it.
   */
  check(command: Command, now: number): 'admitted' | 'replayed' | 'full' {
    for (const [id, expiry] of this.seen) if (expiry <= now) this.seen.delete(id);
    if (this.seen.has(command.id)) return 'replayed';
    if (this.seen.size >= MAX_SEEN_COMMANDS) return 'full';
    // Kept as long as the command could still pass the expiry check (leeway included).
    this.seen.set(command.id, (command.expiresAt ?? now + MAX_COMMAND_LIFETIME_S) + CLOCK_LEEWAY_S);
    return 'admitted';
  }
}
