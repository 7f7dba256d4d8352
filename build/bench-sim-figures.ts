// What every phase of the fleet bench (build/bench-sim.ts) measures against: the running fleet,
// the CPU and RSS of its parts at one moment, and the units the lines print in.
import {
  rssKb,
  treeCpuS,
  treeRssKb,
  type BenchBroker,
  type PortalProcess,
} from './bench-sim-rig.ts';
import type { SysWatch } from './bench-sim-sys.ts';

export type Line = (name: string, value: string) => void;
export type BenchDb = 'postgres' | 'pglite';

/** How often each simulated router reports its status. */
export const INTERVAL_S = 60;

/** The fleet once every part runs; `broker.child` changes when the broker restarts. */
export interface FleetRig {
  readonly line: Line;
  /** The lines' prefix after `fleet `: routers and database. */
  readonly tag: string;
  readonly routers: number;
  readonly dbKind: BenchDb;
  readonly broker: BenchBroker;
  readonly portal: PortalProcess;
  readonly simPid: number;
  /** The PostgreSQL server's postmaster, or null on PGlite. */
  readonly pgPid: number | null;
  readonly sys: SysWatch;
}

export type Usage = ReturnType<typeof usage>;

/** CPU seconds and RSS of the three parts (and the PostgreSQL server's processes). */
export function usage(
  broker: BenchBroker,
  simPid: number,
  portal: PortalProcess,
  pg: number | null,
) {
  return {
    broker: { cpu: treeCpuS(broker.child.pid!), rss: rssKb(broker.child.pid!) },
    sim: { cpu: treeCpuS(simPid), rss: rssKb(simPid) },
    portal: { cpu: treeCpuS(portal.child.pid!), rss: rssKb(portal.child.pid!) },
    pg: pg === null ? null : { cpu: treeCpuS(pg), rss: treeRssKb(pg) },
  };
}

/** The fleet's usage now. */
export const usageOf = (rig: FleetRig): Usage =>
  usage(rig.broker, rig.simPid, rig.portal, rig.pgPid);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
export const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const cpuPart = (a: { cpu: number }, b: { cpu: number }) =>
  `${(b.cpu - a.cpu).toFixed(1)} s CPU`;
