// Retained desired states are re-signed before their exp runs out: the same version and content
// with a fresh expiry (the router answers `already applied`), so a router that loses its flash,
// or one that comes back after weeks, still gets a valid token from the broker.
import { topicsFor } from '../../contract/topics.ts';
import { desiredToResign, recordResigned } from '../store/desired-store.ts';
import type { ActDeps } from './act.ts';

export async function resignDue(
  deps: ActDeps,
  resignBeforeS: number,
  limit = 500,
): Promise<number> {
  const nowMs = deps.clock().nowMs;
  const due = await desiredToResign(deps.db, nowMs + resignBeforeS * 1000, limit);
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + deps.desiredTtlS;
  const results = await Promise.allSettled(
    due.map(async (d) => {
      // Signed and acknowledged first; only then is the new token recorded. On any failure the
      // old retained state stays as it was and the next pass tries again.
      const token = await deps.signer.sign({
        version: d.version,
        ...d.desired,
        sub: d.id,
        iat,
        exp,
      });
      await deps.publisher.publish(topicsFor(deps.prefix, d.id).desired, token, true);
      await recordResigned(deps.db, d.id, d.version, token, exp * 1000);
    }),
  );
  return results.filter((r) => r.status === 'fulfilled').length;
}
