// Reads the filter table from `iptables-save -c -t filter` (or without -c).
export interface SavedRule {
  readonly chain: string;
  /** The rule as iptables-save prints it, without counters: `-A CHAIN ...`. */
  readonly text: string;
  readonly packets: number;
  readonly bytes: number;
}

export interface SavedFilterTable {
  readonly chains: readonly string[];
  readonly rules: readonly SavedRule[];
}

export const EMPTY_FILTER_TABLE: SavedFilterTable = { chains: [], rules: [] };

export function parseFilterTable(text: string): SavedFilterTable {
  const chains: string[] = [];
  const rules: SavedRule[] = [];
  let inFilter = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) inFilter = line === '*filter';
    else if (!inFilter || line === '' || line.startsWith('#')) continue;
    else if (line === 'COMMIT') inFilter = false;
    else if (line.startsWith(':')) chains.push(line.slice(1).split(' ')[0]!);
    else {
      const counted = /^\[(\d+):(\d+)\] (-A .*)$/.exec(line);
      const ruleText = counted ? counted[3]! : line;
      const chain = /^-A (\S+)/.exec(ruleText)?.[1];
      if (!chain) continue;
      rules.push({
        chain,
        text: ruleText,
        packets: counted ? Number(counted[1]) : 0,
        bytes: counted ? Number(counted[2]) : 0,
      });
    }
  }
  return { chains, rules };
}

export function rulesOf(table: SavedFilterTable, chain: string): SavedRule[] {
  return table.rules.filter((r) => r.chain === chain);
}
