// What a fuzz case is, and the valid desired state every case is a mutation of. Pure: no I/O.

export type Kind = 'desired' | 'cmd';

export interface FuzzCase {
  /** The family of mutation, for the per-family figures (`fuzz.family.<name>`). */
  readonly family: string;
  readonly kind: Kind;
  readonly bytes: Uint8Array;
  readonly retain?: boolean;
  /** Acceptable reply codes ('ok' for ok:true); null: any documented code but `internal`. */
  readonly expect: readonly string[] | null;
  /** The id a reply must echo (valid command ids only). */
  readonly id?: string;
}

/** The newest possible version: nothing a fuzzer sends can be newer, so nothing it sends applies. */
export const MAX_VERSION = Number.MAX_SAFE_INTEGER;
const RELAYS = ['203.0.113.25', '2001:db8:ff::25'];

/** The desired state the fuzzed router enforces (applied before the flood). */
export function baseDesired(): Record<string, unknown> {
  return { version: MAX_VERSION, enabled: true, action: 'reject', allow: RELAYS, ports: [25] };
}

export interface CaseGenerator {
  /** The next case for `kind`; `command(id)` is the valid command to mutate. */
  next(kind: Kind): FuzzCase;
}
