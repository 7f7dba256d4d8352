// An in-memory FleetService for the HTTP tests: it answers from a fixed list of routers and
// records what it was asked to do (and audits it the way the real service does), so the tests
// can check what reached the service after parsing.
import type { AuditSink } from '../../../portal/core/audit-entry.ts';
import type { FleetEvent } from '../../../portal/core/fleet-event.ts';
import type {
  ActionRequest,
  BootRecord,
  ActionResult,
  FleetQuery,
  FleetService,
  Operator,
  RolloutActionQuery,
  RolloutActionRecord,
  RolloutRecord,
  RolloutRequest,
  RouterDetail,
  RouterSummary,
} from '../../../portal/service/fleet-service.ts';

export function router(id: string, extra: Partial<RouterSummary> = {}): RouterDetail {
  return {
    id,
    online: true,
    boot: '0123456789abcdef',
    agentVersion: '0.1.0',
    model: 'Test Router 1',
    board: 'test,board',
    release: 'OpenWrt 24.10.0',
    wanProto: 'pppoe',
    enabled: true,
    appliedVersion: 3,
    policySource: 'remote',
    action: 'reject',
    applied: true,
    backend: 'nftables',
    drift: [],
    lastError: null,
    desiredVersion: 3,
    desiredEnabled: true,
    firstSeen: '2026-12-01T00:00:00.000Z',
    lastSeen: '2026-12-01T10:00:00.000Z',
    lastStatusAt: '2026-12-01T10:00:00.000Z',
    notReporting: false,
    blocked: 0,
    presenceSince: '2026-12-01T09:00:00.000Z',
    bootSeenAt: '2026-12-01T09:00:00.000Z',
    state: null,
    status: null,
    topSources: [],
    ...extra,
  };
}

export class FakeFleet implements FleetService {
  readonly acted: { req: ActionRequest; by: Operator }[] = [];
  readonly queries: FleetQuery[] = [];
  readonly listeners = new Set<(e: FleetEvent) => void>();
  readonly rollouts = new Map<string, RolloutRecord>();
  readonly rolloutQueries: RolloutActionQuery[] = [];
  /** Ended runs per router, newest first (none unless a test sets them). */
  readonly boots = new Map<string, BootRecord[]>();
  readonly bootQueries: { id: string; limit: number; offset: number }[] = [];
  audit: AuditSink | null = null;

  constructor(public routers: RouterDetail[]) {}

  async listRouters(q: FleetQuery) {
    this.queries.push(q);
    let matching: RouterDetail[] = this.routers.filter(
      (r) =>
        (q.online === undefined || r.online === q.online) &&
        (q.model === undefined || r.model === q.model) &&
        (q.q === undefined || r.id.includes(q.q) || (r.model ?? '').includes(q.q)),
    );
    matching = [...matching].sort((a, b) => (a.id < b.id ? -1 : 1));
    if (q.order === 'desc') matching.reverse();
    const total = matching.length;
    const items: RouterSummary[] = matching
      .slice(q.offset, q.offset + q.limit)
      .map(({ state, status, topSources, presenceSince, bootSeenAt, ...s }) => s);
    return { items, total };
  }
  async summary() {
    const n = this.routers.length;
    return {
      routers: n,
      online: n,
      enforcing: n,
      disabled: 0,
      driftedOrErroring: 0,
      notReporting: 0,
    };
  }
  async getRouter(id: string) {
    return this.routers.find((r) => r.id === id) ?? null;
  }
  async blockedHistory(_id: string | null, hours: number) {
    return [{ hour: '2026-12-01T10:00:00.000Z', blocked: hours }];
  }
  async blockedSeries(ids: readonly string[], hours: number) {
    return ids.map((id) => ({ id, blocked: new Array<number>(hours).fill(1) }));
  }
  async topBlocked(_hours: number, limit: number) {
    return this.routers.slice(0, limit).map((r) => ({
      id: r.id,
      model: r.model,
      blocked: 5,
      topSources: [{ address: '198.51.100.7', attempts: 5 }],
    }));
  }
  async bootHistory(id: string, limit: number, offset: number) {
    this.bootQueries.push({ id, limit, offset });
    const all = this.boots.get(id) ?? [];
    return { items: all.slice(offset, offset + limit), total: all.length };
  }
  async actionHistory() {
    return [];
  }
  async act(req: ActionRequest, by: Operator): Promise<ActionResult> {
    this.acted.push({ req, by });
    const ids =
      req.target.kind === 'one'
        ? [req.target.id]
        : req.target.kind === 'list'
          ? [...req.target.ids]
          : this.routers.map((r) => r.id);
    await this.audit?.record({
      operator: by.name,
      action: req.action,
      routers: ids,
      reason: req.reason,
      outcome: `published ${ids.length} of ${ids.length}`,
    });
    return {
      action: req.action,
      requested: ids.length,
      published: ids.length,
      pending: 0,
      failed: 0,
      outcomes: ids.map((routerId, i) => ({ routerId, ok: true, version: 10 + i })),
    };
  }
  async startRollout(req: RolloutRequest, by: Operator): Promise<RolloutRecord> {
    const id = `r${this.rollouts.size + 1}`;
    const record: RolloutRecord = {
      id,
      action: req.action,
      reason: req.reason,
      operator: by.name,
      policy: req.policy ?? null,
      state: 'running',
      haltReason: null,
      total: this.routers.length,
      currentWave: 0,
      waves: [
        {
          index: 0,
          size: 1,
          state: 'sent',
          ok: 0,
          errors: 0,
          missing: 0,
          failed: 0,
          startedAt: '2026-12-01T10:00:00.000Z',
          finishedAt: null,
        },
      ],
      maxErrorShare: req.maxErrorShare ?? 0.05,
      maxMissingShare: req.maxMissingShare ?? 0.1,
      waveTimeoutMs: req.waveTimeoutMs ?? 30000,
      createdAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:00.000Z',
    };
    this.rollouts.set(id, record);
    return record;
  }
  async listRollouts() {
    return [...this.rollouts.values()];
  }
  async getRollout(id: string) {
    return this.rollouts.get(id) ?? null;
  }
  /** Each rollout's first router answered with an error in wave 0. */
  async rolloutActions(id: string, q: RolloutActionQuery) {
    const r = this.rollouts.get(id);
    const all: RolloutActionRecord[] = r
      ? [
          {
            id: 1,
            routerId: this.routers[0]!.id,
            kind: 'desired',
            action: r.action,
            version: 10,
            commandId: null,
            content: { enabled: false },
            operator: r.operator,
            reason: r.reason,
            rolloutId: id,
            status: 'error',
            reply: { version: 10, ok: false, error: { code: 'apply_failed', message: 'nft: <b>' } },
            sentAt: '2026-12-01T10:00:00.000Z',
            repliedAt: '2026-12-01T10:00:01.000Z',
            wave: 0,
          },
        ]
      : [];
    const items = all.filter(
      (a) =>
        (q.wave === undefined || a.wave === q.wave) &&
        (q.status === undefined || a.status === q.status),
    );
    this.rolloutQueries.push(q);
    return { items: items.slice(q.offset, q.offset + q.limit), total: items.length };
  }
  async controlRollout(
    id: string,
    verb: 'pause' | 'resume' | 'abort',
    by: Operator,
    reason: string,
  ) {
    const r = this.rollouts.get(id)!;
    const state = verb === 'pause' ? 'paused' : verb === 'resume' ? 'running' : 'aborted';
    const next = { ...r, state, updatedAt: '2026-12-01T11:00:00.000Z' } as RolloutRecord;
    this.rollouts.set(id, next);
    await this.audit?.record({
      operator: by.name,
      action: `rollout.${verb}`,
      routers: [],
      reason,
      outcome: state,
    });
    return next;
  }
  onEvent(listener: (e: FleetEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(e: FleetEvent) {
    for (const l of this.listeners) l(e);
  }
}
