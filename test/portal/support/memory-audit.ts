// An audit sink that keeps its entries in memory, so a test can read what was audited.
import type { AuditEntry, AuditSink } from '../../../portal/core/audit-entry.ts';

export class MemoryAudit implements AuditSink {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
}
