// The targets the tree's figures are judged against, and how a line says whether they are met.
// Issue 10's targets for the idle, connected tree over TLS (docs/budgets.md); printed beside the
// figures of both runs, judged on TLS.
export const TARGET = { processes: 3, rssKb: 14 * 1024, pssKb: 8 * 1024, cpuPercent: 0.02 };

/** `(target X: met)` or `(target X: NOT met)`. */
export function judge(met: boolean, target: string): string {
  return `(target ${target}: ${met ? 'met' : 'NOT met'})`;
}
