// What the service writes to the audit log for every change it makes (who, what, which routers,
// why, how it went). The sink is implemented by portal/auth's audit store; the service only
// sees this type, so neither side imports the other's adapter.
export interface AuditEntry {
  readonly operator: string;
  /** e.g. `disable`, `policy`, `rollout.start`, `rollout.pause`. */
  readonly action: string;
  readonly routers: readonly string[];
  readonly reason: string;
  /** e.g. `published 3 of 3`, `refused: ...`, `halted: ...`. */
  readonly outcome: string;
  readonly detail?: unknown;
}

export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}
