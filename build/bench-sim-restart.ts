// Phase 2 of the fleet bench (build/bench-sim.ts): the broker stopped for OUTAGE_S and started
// again, empty. Every connection drops and the routers come back with the agent's backoff: the
// time until 99 % are connected again (the broker's $SYS) and heard from again (the portal's
// last_seen), and the peak rate of new connections in one of the broker's 1 s $SYS samples.
import type { RouterSummary } from '../portal/core/router-views.ts';
import { poll, stopChild } from './bench-sim-rig.ts';
import { s, sleep, type FleetRig } from './bench-sim-figures.ts';

const OUTAGE_S = 5;

export async function restartPhase(rig: FleetRig): Promise<void> {
  const { line, tag, routers, broker, sys, portal: p } = rig;
  await stopChild(broker.child);
  await sleep(OUTAGE_S * 1000);
  await broker.start();
  const t1 = Date.now();
  const back99 = Math.ceil(routers * 0.99);
  const brokerBackMs = await poll(
    '99 % connected again',
    async () => (sys.connected(t1) - 2 >= back99 ? Date.now() - t1 : undefined),
    600_000,
    200,
  );
  // The portal's view: the (1 % + 1)-th least recently heard-from router was heard after t1.
  const heardAfter = async (offset: number) => {
    const page = await p.api<{ items: RouterSummary[] }>(
      'GET',
      `/routers?sort=last_seen&limit=1&offset=${offset}`,
    );
    const item = page.items[0];
    return item && Date.parse(item.lastSeen) >= t1 ? Date.now() - t1 : undefined;
  };
  const portalBackMs = await poll(
    '99 % in the portal again',
    () => heardAfter(routers - back99),
    600_000,
    250,
  );
  const allBackMs = await poll('all heard from again', () => heardAfter(0), 600_000, 250);
  line(
    `fleet ${tag}: broker down ${OUTAGE_S} s, 99 % back`,
    `${s(brokerBackMs)} (broker), ${s(portalBackMs)} (portal), all ${s(allBackMs)}`,
  );
  line(`fleet ${tag}: peak connection rate after restart`, `${sys.peakRate(t1)} connections/s`);
}
