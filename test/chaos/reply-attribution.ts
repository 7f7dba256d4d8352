// Which reply of a fuzz group answers which message. The daemon handles messages one at a time,
// in order, so their replies come in order, except one kind: a desired state still waiting when
// a newer one arrives is answered `superseded` at once, before it is read, with no `version`
// echoed (docs/mqtt-contract.md). Those replies may come before the reply of a message sent
// earlier, and do not say which desired state they stand for. Pure: no I/O.

export interface Attributable {
  readonly kind: 'desired' | 'cmd';
  /** Acceptable reply codes; null: any. */
  readonly expect: readonly string[] | null;
}

const SUPERSEDED = 'superseded';

/**
 * Pairs `replies` (with their codes, in arrival order) with `items` (in publishing order): the
 * `superseded` replies go to desired states that a later desired state of the group could have
 * replaced, the others to the remaining messages in order. Of the pairings possible, the one
 * where the most codes are what the items expect. Returns each item's reply, or null when the
 * counts cannot fit (replies are missing).
 */
export function attributeReplies(
  items: readonly Attributable[],
  replies: readonly string[],
  codes: readonly string[],
): string[] | null {
  if (replies.length !== items.length) return null;
  const handled = replies.filter((_, i) => codes[i] !== SUPERSEDED);
  const handledCodes = codes.filter((c) => c !== SUPERSEDED);
  const dropped = replies.filter((_, i) => codes[i] === SUPERSEDED);
  const lastDesired = items.map((c) => c.kind).lastIndexOf('desired');
  const droppable = (i: number): boolean => items[i]!.kind === 'desired' && i < lastDesired;
  const fits = (i: number, k: number): number =>
    items[i]!.expect === null || items[i]!.expect!.includes(handledCodes[k]!) ? 1 : 0;
  // best[i][k]: the most fitting pairs of items[0..i) with handled[0..k), the rest of items[0..i)
  // dropped; -1 when impossible.
  const n = items.length;
  const m = handled.length;
  const best = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(-1));
  const skipped = Array.from({ length: n + 1 }, () => new Array<boolean>(m + 1).fill(false));
  best[0]![0] = 0;
  for (let i = 1; i <= n; i++)
    for (let k = 0; k <= m; k++) {
      const pair =
        k > 0 && best[i - 1]![k - 1]! >= 0 ? best[i - 1]![k - 1]! + fits(i - 1, k - 1) : -1;
      const skip = droppable(i - 1) && best[i - 1]![k]! >= 0 ? best[i - 1]![k]! : -1;
      best[i]![k] = Math.max(pair, skip);
      skipped[i]![k] = skip > pair;
    }
  if (best[n]![m]! < 0) return null;
  const out = new Array<string>(n);
  let next = dropped.length;
  for (let i = n, k = m; i > 0; i--)
    if (skipped[i]![k]) out[i - 1] = dropped[--next]!;
    else out[i - 1] = handled[--k]!;
  return out;
}
