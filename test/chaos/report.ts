// What a chaos run prints: one figure a line (`<scenario>.<name> <value>`), and checks
// (`CHECK <case> ok|FAIL <detail>`) whose names are the case names the regression subset uses.

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export class Report {
  readonly checks: CheckResult[] = [];
  readonly figures = new Map<string, string>();

  constructor(private readonly print: (line: string) => void = (line) => console.log(line)) {}

  /** A measured figure, e.g. `fuzz.rss_after_kb 6120`. */
  figure(name: string, value: string | number, unit = ''): void {
    const text = typeof value === 'number' ? formatNumber(value) : value;
    this.figures.set(name, text);
    this.print(`${name} ${text}${unit ? ` ${unit}` : ''}`);
  }

  /** A required behaviour: `ok` says whether it held, `detail` what was seen. */
  check(name: string, ok: boolean, detail = ''): void {
    this.checks.push({ name, ok, detail });
    this.print(`CHECK ${name} ${ok ? 'ok' : 'FAIL'}${detail ? ` ${detail}` : ''}`);
  }

  failed(): CheckResult[] {
    return this.checks.filter((c) => !c.ok);
  }

  /** The result of a named check (the last one when a name was checked twice). */
  result(name: string): CheckResult | undefined {
    return [...this.checks].reverse().find((c) => c.name === name);
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The p-th percentile (0..100) by nearest rank; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
