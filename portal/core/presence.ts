// The contract's boot-id rule (docs/mqtt-contract.md "state"): every state document belongs to
// one run of the daemon, named by `boot`. A late Will of an old run never marks a live router
// offline, and a message taken twice (shared subscriptions deliver retained ones again) changes
// nothing.
import type { StateDoc } from '../../contract/message-types.ts';

export interface Presence {
  readonly online: boolean;
  /** The run the router is in: the boot of the latest online document (or of the first seen). */
  readonly boot: string;
  /** `at` of the document that set this presence. */
  readonly at: string;
}

/** The presence after a state document, or null when the document is stale or a duplicate. */
export function applyState(current: Presence | null, doc: StateDoc): Presence | null {
  const next: Presence = { online: doc.online, boot: doc.boot, at: doc.at };
  if (current === null) return next;
  if (doc.boot !== current.boot) {
    // A new run announcing itself is the router's present; an offline document of another run
    // says only that that run ended (the Will of a previous run, published after a fast reboot).
    return doc.online ? next : null;
  }
  if (doc.online === current.online) return after(doc.at, current.at) ? next : null;
  // Same run, the other way round. The Will carries the time of its connection: it belongs to
  // the latest connection only when that connection is not newer than it. An online document
  // not newer than the offline one is a duplicate of an earlier connection's.
  if (doc.online) return after(doc.at, current.at) ? next : null;
  return after(current.at, doc.at) ? null : next;
}

function after(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}
