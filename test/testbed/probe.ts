// Connection probes: from a namespace, connect to address:port and classify what happened.
import { execOk } from './exec.ts';
import { NODE, PROBE_SCRIPT } from './scripts.ts';

export type ProbeResult = 'connected' | 'refused' | 'timeout' | 'error';

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
}

export interface ProbeOutcome extends ProbeTarget {
  readonly result: ProbeResult;
  /** Time to the outcome, in milliseconds (for a timeout: the timeout). */
  readonly ms: number;
  /** The error code for 'refused' and 'error'. */
  readonly code?: string;
  /** The first line the server sent, for 'connected'. */
  readonly banner?: string;
}

/** Every probe gives up after this long: a dropped SYN would otherwise hang for minutes. */
export const PROBE_TIMEOUT_MS = 1500;

/** Probes every target from `ns` at once, in one short-lived process; results in order. */
export async function probeMany(
  ns: string,
  targets: readonly ProbeTarget[],
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeOutcome[]> {
  if (targets.length === 0) return [];
  const request = JSON.stringify({
    timeoutMs,
    targets: targets.map(({ host, port }) => ({ host, port })),
  });
  // The process itself is bounded too: probe timeout plus Node's start-up, with margin.
  const stdout = await execOk(ns, [NODE, PROBE_SCRIPT, request], { timeoutMs: timeoutMs + 10_000 });
  const outcomes = JSON.parse(stdout) as Omit<ProbeOutcome, 'host' | 'port'>[];
  if (outcomes.length !== targets.length) throw new Error(`probe: bad output ${stdout}`);
  return outcomes.map((o, i) => ({ ...o, host: targets[i]!.host, port: targets[i]!.port }));
}

/** One probe from `ns` to host:port. */
export async function probe(
  ns: string,
  host: string,
  port: number,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeOutcome> {
  const [outcome] = await probeMany(ns, [{ host, port }], timeoutMs);
  return outcome!;
}

/** "host:port" with brackets around IPv6 addresses. */
export function targetText(target: ProbeTarget): string {
  return target.host.includes(':')
    ? `[${target.host}]:${target.port}`
    : `${target.host}:${target.port}`;
}
