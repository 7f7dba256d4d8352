// Phase 1 of the fleet bench (build/bench-sim.ts): from the simulator's start until every router
// is connected, reporting and in the portal's summary (target <= 60 s), with each part's RSS and
// CPU; then the steady state, where each router reports every INTERVAL_S.
import type { FleetSummary } from '../portal/core/router-views.ts';
import { poll } from './bench-sim-rig.ts';
import {
  cpuPart,
  INTERVAL_S,
  mb,
  s,
  sleep,
  usageOf,
  type FleetRig,
  type Usage,
} from './bench-sim-figures.ts';

const STEADY_S = 15;
const VISIBLE_TARGET_S = 60;

/**
 * Waits for the whole fleet, `t0` being the simulator's start and `base` the usage before it;
 * returns the usage once everyone is in.
 */
export async function startPhase(rig: FleetRig, t0: number, base: Usage): Promise<Usage> {
  const { line, tag, routers, sys, portal: p } = rig;
  const connectedMs = await poll(
    'every router connected',
    async () => (sys.connected() >= routers + 2 ? Date.now() - t0 : undefined),
    300_000,
    200,
  );
  const visibleMs = await poll(
    'every router in the portal',
    async () => {
      const sum = await p.api<FleetSummary>('GET', '/summary');
      return sum.routers >= routers && sum.online >= routers && sum.notReporting === 0
        ? Date.now() - t0
        : undefined;
    },
    300_000,
    250,
  );
  const up = usageOf(rig);
  line(`fleet ${tag}: all connected (broker)`, s(connectedMs));
  line(
    `fleet ${tag}: all in the portal, reporting`,
    `${s(visibleMs)} (target <= ${VISIBLE_TARGET_S} s)`,
  );
  line(`fleet ${tag}: broker`, `${mb(up.broker.rss)} RSS, ${cpuPart(base.broker, up.broker)}`);
  line(`fleet ${tag}: simulator`, `${mb(up.sim.rss)} RSS, ${up.sim.cpu.toFixed(1)} s CPU`);
  line(
    `fleet ${tag}: portal`,
    `${mb(up.portal.rss)} RSS${rig.dbKind === 'pglite' ? ' (PGlite in it)' : ''}, ${cpuPart(base.portal, up.portal)}`,
  );
  if (up.pg && base.pg)
    line(
      `fleet ${tag}: PostgreSQL server`,
      `${mb(up.pg.rss)} RSS (sum), ${cpuPart(base.pg, up.pg)}`,
    );
  return up;
}

/** Steady state: each router reports every INTERVAL_S (+-10 %); CPU over STEADY_S from `up`. */
export async function steadyPhase(rig: FleetRig, up: Usage): Promise<void> {
  await sleep(STEADY_S * 1000);
  const steady = usageOf(rig);
  const perS = (a: { cpu: number }, b: { cpu: number }) =>
    `${((100 * (b.cpu - a.cpu)) / STEADY_S).toFixed(0)} %`;
  rig.line(
    `fleet ${rig.tag}: steady CPU broker/sim/portal${steady.pg ? '/pg' : ''}`,
    [
      perS(up.broker, steady.broker),
      perS(up.sim, steady.sim),
      perS(up.portal, steady.portal),
      ...(steady.pg && up.pg ? [perS(up.pg, steady.pg)] : []),
    ].join(' / ') + ` of a core (${(rig.routers / INTERVAL_S).toFixed(0)} status/s)`,
  );
}
