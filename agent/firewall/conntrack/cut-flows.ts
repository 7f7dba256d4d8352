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
} from './flow-table.ts';

// Above this many foreign destinations, skip the per-destination route check and cut them all.
const MAX_ROUTE_LOOKUPS = 256;

export interface CutResult {
  /** Destinations whose flows were deleted. */
  readonly destinations: readonly string[];
  /** Why nothing was attempted, when nothing was. */
  readonly skipped?: string;
}

export async function cutBlockedFlows(runtime: Runtime, policy: Policy): Promise<CutResult> {
  if (!policy.enabled) return { destinations: [], skipped: 'block is off' };
  if (!runtime.findExecutable('conntrack'))
    return { destinations: [], skipped: 'conntrack not installed' };
  const flows = [];
  for (const family of policy.families)
    for (const port of policy.ports) {
      const listed = await runtime.run([
        'conntrack',
        '-L',
        '-f',
        family,
        '-p',
        'tcp',
        '--dport',
        String(port),
      ]);
      if (listed.code === 0) flows.push(...parseConntrackList(listed.stdout));
    }
  const candidates = destinationsToCut(flows, policy, null);
  if (candidates.length === 0) return { destinations: [] };
  let devices: Map<string, string> | null = null;
  if (candidates.length <= MAX_ROUTE_LOOKUPS) {
    const lookups = await runtime.run(['ip', '-o', '-force', '-batch', '-'], {
      stdin: candidates.map((d) => `route get ${d}\n`).join(''),
    });
    devices = parseRouteLookups(lookups.stdout);
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
