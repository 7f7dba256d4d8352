// The contract's boot-id rule (docs/mqtt-contract.md "state"): every state document belongs to
// one run of the daemon, named by `boot`. A late Will of an old run never marks a live router
// offline, and a message taken twice (shared subscriptions deliver retained ones again) changes
// nothing.
import type { StateDoc } from '../../contract/message-types.ts';

export interface Presence {
  readonly online: boolean;
  /** The run the router is in: the boot of the latest online document (or of the first seen). */
  readonly boot: string;
  /** `at` of the latest online document of this run (of the first document if none). */
  readonly at: string;
}

/** The presence after a state document, or null when the document is stale or a duplicate. */
export function applyState(current: Presence | null, doc: StateDoc): Presence | null {
  if (current === null) return { online: doc.online, boot: doc.boot, at: doc.at };
  if (doc.boot !== current.boot) {
    // A new run announcing itself is the router's present; an offline document of another run
    // says only that that run ended (the Will of a previous run, published after a fast reboot).
    return doc.online ? { online: true, boot: doc.boot, at: doc.at } : null;
  }
  if (doc.online) {
    // Each connection of a run announces itself with a newer `at`; an online document not newer
    // than the latest one is that one again (or an earlier connection's).
    return Date.parse(doc.at) > Date.parse(current.at)
      ? { online: true, boot: doc.boot, at: doc.at }
      : null;
  }
  // The run's Will or goodbye. Its `at` is the time its connection was made (before the online
  // document), so it cannot be ordered by time against the online one: arrival order decides.
  return current.online ? { ...current, online: false } : null;
}
