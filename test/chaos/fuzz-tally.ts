// The fuzz scenario's tally: every reply scored against the documented codes and the code the
// mutation expects, with a few examples of what went wrong. Pure: no I/O.
import type { FuzzCase } from './fuzz-case.ts';

export interface Tally {
  sent: number;
  unanswered: number;
  unattributed: number;
  markerLost: number;
  internal: number;
  undocumented: number;
  unexpected: number;
  misaligned: number;
  kernelChanged: number;
  crashed: boolean;
  readonly codes: Map<string, number>;
  /** `<family>.<kind>.<code>` of every reply with `internal`, or not the expected code. */
  readonly unexpectedBy: Map<string, number>;
  readonly examples: string[];
  readonly ms: number[];
  readonly hostile: Map<string, string>;
}

export function newTally(): Tally {
  return {
    sent: 0, unanswered: 0, unattributed: 0, markerLost: 0, internal: 0, undocumented: 0, unexpected: 0, misaligned: 0,
    kernelChanged: 0, crashed: false, codes: new Map(), unexpectedBy: new Map(), examples: [], ms: [], hostile: new Map(),
  }; // prettier-ignore
}

export function codeOf(reply: string): { code: string; id: unknown } {
  try {
    const r = JSON.parse(reply) as { ok?: boolean; id?: unknown; error?: { code?: unknown } };
    return { code: r.ok === true ? 'ok' : String(r.error?.code ?? 'no_code'), id: r.id };
  } catch {
    return { code: 'unparseable_reply', id: undefined };
  }
}

export function score(
  tally: Tally,
  documented: Set<string>,
  c: FuzzCase,
  reply: string | null,
): void {
  tally.sent++;
  const example = (what: string): void => {
    if (tally.examples.length < 12)
      tally.examples.push(
        `${what} [${c.family} ${c.kind} ${Buffer.from(c.bytes).toString('utf8').slice(0, 90)}]`,
      );
  };
  if (reply === null) {
    tally.unanswered++;
    if (c.family.startsWith('hostile.')) tally.hostile.set(c.family, 'no reply');
    return example('no reply');
  }
  const { code, id } = codeOf(reply);
  // A desired state replaced by a newer one before it was read: the contract's answer for it.
  const superseded = c.kind === 'desired';
  tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
  if (c.family.startsWith('hostile.')) tally.hostile.set(c.family, code);
  if (code === 'internal') tally.internal++;
  if (code !== 'ok' && !documented.has(code)) tally.undocumented++;
  const wrong = (): void => {
    const key = `${c.family}.${c.kind}.${code}`;
    tally.unexpectedBy.set(key, (tally.unexpectedBy.get(key) ?? 0) + 1);
  };
  if (code === 'internal' || (code !== 'ok' && !documented.has(code))) {
    wrong();
    example(`code ${code}`);
  } else if (c.expect && !c.expect.includes(code) && !(superseded && code === 'superseded')) {
    tally.unexpected++;
    wrong();
    example(`code ${code}, expected ${c.expect.join('|')}`);
  }
  if (c.id !== undefined && id !== c.id) {
    tally.misaligned++;
    example(`reply id ${JSON.stringify(id)}`);
  }
}
