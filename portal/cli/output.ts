// What the CLI prints. Router fields come from devices, so control characters are replaced
// before they reach a terminal (no escape sequences from a router's model name).
import type {
  ActionResult,
  RolloutRecord,
  RouterDetail,
  RouterSummary,
} from '../service/fleet-service.ts';

export function safe(value: unknown): string {
  const text = value === null || value === undefined ? '-' : String(value);
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
      )
      .join('\n') + '\n'
  );
}

const yesNo = (v: boolean | null) => (v === null ? '-' : v ? 'yes' : 'no');

export function routerTable(list: {
  items: RouterSummary[];
  total: number;
  totalEstimated?: boolean;
}): string {
  const rows = [['ID', 'ONLINE', 'ENABLED', 'APPLIED', 'VERSION', 'BLOCKED', 'LAST SEEN', 'MODEL']];
  for (const r of list.items)
    rows.push([
      safe(r.id),
      yesNo(r.online),
      yesNo(r.enabled),
      yesNo(r.applied),
      safe(r.appliedVersion),
      safe(r.blocked),
      safe(r.lastSeen),
      safe(r.model),
    ]);
  const total = list.totalEstimated ? `about ${list.total}` : `${list.total}`;
  return table(rows) + `${list.items.length} of ${total} routers\n`;
}

export function routerRecord(r: RouterDetail): string {
  const lines: [string, unknown][] = [
    ['id', r.id],
    ['online', yesNo(r.online)],
    ['model', r.model],
    ['board', r.board],
    ['release', r.release],
    ['agent', r.agentVersion],
    ['wan proto', r.wanProto],
    ['enabled', yesNo(r.enabled)],
    ['applied', yesNo(r.applied)],
    ['action', r.action],
    ['backend', r.backend],
    ['version', `${safe(r.appliedVersion)} applied, ${safe(r.desiredVersion)} desired`],
    ['drift', r.drift.length ? r.drift.join(', ') : 'none'],
    ['last error', r.lastError ? `${r.lastError.code}: ${r.lastError.message}` : 'none'],
    ['blocked', r.blocked],
    ['not reporting', yesNo(r.notReporting)],
    ['first seen', r.firstSeen],
    ['last seen', r.lastSeen],
    ['top sources', r.topSources.map((s) => `${s.address} (${s.attempts})`).join(', ') || 'none'],
  ];
  return lines.map(([k, v]) => `${k.padEnd(14)}${safe(v)}`).join('\n') + '\n';
}

export function actionSummary(result: ActionResult): string {
  const lines = [
    `${result.action}: published ${result.published} of ${result.requested}, ${result.pending} pending (offline), ${result.failed} failed`,
  ];
  for (const o of result.outcomes) if (!o.ok) lines.push(`  ${safe(o.routerId)}: ${safe(o.error)}`);
  return lines.join('\n') + '\n';
}

export function rolloutLine(r: RolloutRecord): string {
  const wave = r.waves[r.currentWave];
  return `${safe(r.id)}  ${r.action}  ${r.state}${r.haltReason ? ` (${safe(r.haltReason)})` : ''}  wave ${r.currentWave + 1}/${r.waves.length}${wave ? ` ok ${wave.ok} errors ${wave.errors} missing ${wave.missing}` : ''}  ${r.total} routers  by ${safe(r.operator)}: ${safe(r.reason)}\n`;
}
