// When the block goes on, connections that were already open to foreign mail servers would
// otherwise live on (and offloaded flows skip the forward hook). Their conntrack entries are
// deleted, which makes the next packet of each flow go through the new rules.
import type { Policy } from '../../policy/policy.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import {
  destinationsToCut,
  familyOf,
  parseConntrackList,
  parseRouteLookups,
  type Flow,
} from './flow-table.ts';

// Above this many foreign destinations, skip the per-destination route check and cut them all.
const MAX_ROUTE_LOOKUPS = 256;

export interface CutResult {
  /** Destinations whose flows were deleted. */
  readonly destinations: readonly string[];
  /** Why nothing was attempted, when nothing was. */
  readonly skipped?: string;
}

/** Tracked TCP flows to the blocked ports: from /proc when the kernel offers it (no process to start), else conntrack. */
async function listFlows(runtime: Runtime, policy: Policy): Promise<Flow[] | null> {
  const proc = runtime.readText('/proc/net/nf_conntrack');
  if (proc !== null) return parseConntrackList(proc, policy.ports);
  if (!runtime.findExecutable('conntrack')) return null;
  const flows: Flow[] = [];
  for (const family of policy.families) {
    // Unfiltered: `conntrack -L` with --dport costs about 10 ms a call, the full list far less.
    const listed = await runtime.run(['conntrack', '-L', '-f', family]);
    if (listed.code === 0) flows.push(...parseConntrackList(listed.stdout, policy.ports));
  }
  return flows;
}

export async function cutBlockedFlows(runtime: Runtime, policy: Policy): Promise<CutResult> {
  if (!policy.enabled) return { destinations: [], skipped: 'block is off' };
  const flows = await listFlows(runtime, policy);
  if (!flows) return { destinations: [], skipped: 'conntrack not installed' };
  const candidates = destinationsToCut(flows, policy, null);
  if (candidates.length === 0) return { destinations: [] };
  if (!runtime.findExecutable('conntrack'))
    return { destinations: [], skipped: 'conntrack not installed' };
  let devices: Map<string, string> | null = null;
  if (candidates.length <= MAX_ROUTE_LOOKUPS) {
    const lookups = await runtime.run(['ip', '-o', '-force', '-batch', '-'], {
      stdin: candidates.map((d) => `route get ${d}\n`).join(''),
    });
    // Without `ip` (not on every router) no egress is known: cut them all rather than none.
    devices = lookups.code === 127 ? null : parseRouteLookups(lookups.stdout);
  }
  const destinations = destinationsToCut(flows, policy, devices);
  for (const destination of destinations)
    for (const port of policy.ports)
      await runtime.run([
        'conntrack',
        '-D',
        '-f',
        familyOf(destination),
        '-p',
        'tcp',
        '--orig-dst',
        destination,
        '--dport',
        String(port),
      ]);
  return { destinations };
}
