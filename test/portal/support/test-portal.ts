// A portal instance as the integration tests run it: startFleetService with test timers, an
// in-memory audit and log, and a stop that may be called twice.
import type { Signer } from '../../../portal/signing/signer.ts';
import type { Db } from '../../../portal/store/db.ts';
import { startFleetService } from '../../../portal/service/start-fleet-service.ts';
import { MemoryAudit } from './memory-audit.ts';

export const PREFIX = 'op25b/v1';
export const OPERATOR = { name: 'alice', role: 'operator' } as const;

export interface PortalOptions {
  readonly db: Db;
  readonly brokerUrl: string;
  readonly signer: Signer;
  readonly shareGroup?: string;
  readonly replyTimeoutMs?: number;
  readonly desiredTtlS?: number;
}

export async function startPortal(o: PortalOptions) {
  const audit = new MemoryAudit();
  const logs: string[] = [];
  const service = await startFleetService({
    db: o.db,
    signer: o.signer,
    audit,
    log: (line) => logs.push(line),
    config: {
      mqtt: { url: o.brokerUrl, ...(o.shareGroup && { shareGroup: o.shareGroup }) },
      topicPrefix: PREFIX,
      replyTimeoutMs: o.replyTimeoutMs ?? 1500,
      reportIntervalS: 300,
      resignBeforeS: 86400,
      maxPayloadBytes: 16384,
      ...(o.desiredTtlS && { desiredTtlS: o.desiredTtlS }),
    },
    timers: { timeoutSweepMs: 200, rolloutTickMs: 100, resignEveryMs: 3_600_000 },
  });
  // Idempotent, so a test may stop a portal early and its cleanup stop it again.
  const stopService = service.stop;
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= stopService());
  return Object.assign(service, { audit, logs, stop });
}

export type TestPortal = Awaited<ReturnType<typeof startPortal>>;
