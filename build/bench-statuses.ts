// The status documents the ingest benches and trials send: message k is router k % fleet's
// status, reported at base + k + 1 ms, so always newer than its router's last and never a
// duplicate. Each carries a blocked delta and a LAN-source delta (the worst case for the store)
// unless `deltas` is false.
import type { StatusDoc } from '../contract/message-types.ts';
import { deviceId, statusDoc } from '../test/portal/support/documents.ts';

export function benchStatusDoc(
  k: number,
  fleet: number,
  base: number,
  deltas = true,
): { id: string; doc: StatusDoc } {
  const id = deviceId((k % fleet) + 1);
  const round = Math.floor(k / fleet);
  const doc = statusDoc({
    id,
    reportedAt: new Date(base + k + 1).toISOString(),
    blocked: deltas ? round * 3 : 0,
    sources: deltas ? [{ address: '198.51.100.23', attempts: 1 + round }] : [],
  });
  return { id, doc };
}

/** Message k as JSON text, as MQTT brings it. */
export const benchStatus = (k: number, fleet: number, base: number): string =>
  JSON.stringify(benchStatusDoc(k, fleet, base).doc);
