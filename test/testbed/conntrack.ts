// The router's connection-tracking table, as `conntrack -L` shows it.
import { execOk } from './exec.ts';
import type { IpFamily } from './plan.ts';

export interface ConntrackEntry {
  readonly line: string;
  /** TCP state, e.g. ESTABLISHED. */
  readonly state: string;
  /** The original direction. */
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
}

/** Normalises an address for comparison (conntrack prints IPv6 compressed already). */
function normal(address: string): string {
  return address.toLowerCase();
}

export function parseConntrack(text: string): ConntrackEntry[] {
  const entries: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const match =
      /^\s*tcp\s+\d+\s+\d+\s+(\S+)\s+src=(\S+)\s+dst=(\S+)\s+sport=(\d+)\s+dport=(\d+)/.exec(line);
    if (!match) continue;
    entries.push({
      line: line.trim(),
      state: match[1]!,
      src: normal(match[2]!),
      dst: normal(match[3]!),
      sport: Number(match[4]),
      dport: Number(match[5]),
    });
  }
  return entries;
}

/** TCP entries of one family in `ns`, optionally only those to one destination port. */
export async function listConntrack(
  ns: string,
  family: IpFamily,
  dport?: number,
): Promise<ConntrackEntry[]> {
  const argv = ['conntrack', '-L', '-f', family, '-p', 'tcp'];
  if (dport !== undefined) argv.push('--dport', String(dport));
  return parseConntrack(await execOk(ns, argv));
}
