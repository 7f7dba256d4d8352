// The fleet list as CSV (RFC 4180). Cells come partly from devices (model, board, errors), so
// they are made inert for spreadsheets: a cell starting with = + - @ (or a tab or CR, which
// some programs strip first) gets a leading ' so it is never taken for a formula.
import type { RouterSummary } from '../core/router-views.ts';

export const CSV_COLUMNS: readonly (readonly [string, (r: RouterSummary) => unknown])[] = [
  ['id', (r) => r.id],
  ['online', (r) => r.online],
  ['model', (r) => r.model],
  ['board', (r) => r.board],
  ['release', (r) => r.release],
  ['agent_version', (r) => r.agentVersion],
  ['wan_proto', (r) => r.wanProto],
  ['enabled', (r) => r.enabled],
  ['applied', (r) => r.applied],
  ['applied_version', (r) => r.appliedVersion],
  ['desired_version', (r) => r.desiredVersion],
  ['action', (r) => r.action],
  ['backend', (r) => r.backend],
  ['drift', (r) => r.drift.join(' ')],
  ['last_error', (r) => (r.lastError ? `${r.lastError.code}: ${r.lastError.message}` : null)],
  ['blocked', (r) => r.blocked],
  ['not_reporting', (r) => r.notReporting],
  ['first_seen', (r) => r.firstSeen],
  ['last_seen', (r) => r.lastSeen],
  ['last_status_at', (r) => r.lastStatusAt],
];

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return CSV_COLUMNS.map(([name]) => name).join(',') + '\r\n';
}

export function csvRow(router: RouterSummary): string {
  return CSV_COLUMNS.map(([, get]) => csvCell(get(router))).join(',') + '\r\n';
}
