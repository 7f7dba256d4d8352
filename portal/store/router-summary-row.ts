// A router's row as the fleet list and the router page read it: the columns, their types, and
// the RouterSummary the API answers with (with the desired state and blocked attempts added).
import type { Backend } from '../../contract/message-types.ts';
import type { RouterSummary } from '../core/router-views.ts';
import type { QueryClock } from './fleet-filter-sql.ts';

export const SUMMARY_COLUMNS = `r.id, r.online, r.boot, r.agent_version, r.model, r.board, r.release,
  r.wan_proto, r.enabled, r.applied_version, r.policy_source, r.policy_action, r.applied,
  r.backend, r.status->'enforcement'->'drift' AS drift, r.status->'last_error' AS last_error,
  r.first_seen, r.last_seen, r.status_received_at`;

export interface SummaryRow {
  id: string;
  online: boolean;
  boot: string | null;
  agent_version: string | null;
  model: string | null;
  board: string | null;
  release: string | null;
  wan_proto: string | null;
  enabled: boolean | null;
  applied_version: number | null;
  policy_source: 'config' | 'remote' | null;
  policy_action: 'drop' | 'reject' | null;
  applied: boolean | null;
  backend: Backend | null;
  drift: string[] | null;
  last_error: RouterSummary['lastError'];
  first_seen: Date;
  last_seen: Date;
  status_received_at: Date | null;
}

export type Desired = Map<string, { version: number | null; enabled: boolean | null }>;

export function summaryOf(
  row: SummaryRow,
  blocked: number,
  desired: Desired,
  clock: QueryClock,
): RouterSummary {
  return {
    id: row.id,
    online: row.online,
    boot: row.boot,
    agentVersion: row.agent_version,
    model: row.model,
    board: row.board,
    release: row.release,
    wanProto: row.wan_proto,
    enabled: row.enabled,
    appliedVersion: row.applied_version,
    policySource: row.policy_source,
    action: row.policy_action,
    applied: row.applied,
    backend: row.backend,
    drift: row.drift ?? [],
    lastError: row.last_error ?? null,
    desiredVersion: desired.get(row.id)?.version ?? null,
    desiredEnabled: desired.get(row.id)?.enabled ?? null,
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen.toISOString(),
    lastStatusAt: row.status_received_at?.toISOString() ?? null,
    notReporting:
      row.status_received_at === null ||
      row.status_received_at.getTime() < clock.nowMs - clock.notReportingAfterMs,
    blocked,
  };
}
