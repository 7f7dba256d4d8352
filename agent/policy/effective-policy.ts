// What the agent enforces: the ISP's last desired state laid over the config file's policy.
// The config keeps what only the router knows (WAN devices, families); the desired state sets
// the rest. Without a desired state the config's policy stands as it is.
import { formatPrefix } from './address.ts';
import { parsePolicy } from './parse-policy.ts';
import type { Policy } from './policy.ts';
import type { DesiredState } from '../remote/desired-state.ts';

export type PolicySource = 'config' | 'remote';

export interface EffectivePolicy {
  readonly policy: Policy;
  readonly source: PolicySource;
  /** The desired state's version; 0 for the config's policy. */
  readonly version: number;
}

export function effectivePolicy(config: Policy, desired: DesiredState | null): EffectivePolicy {
  if (!desired) return { policy: config, source: 'config', version: 0 };
  const policy = parsePolicy({
    enabled: desired.enabled,
    action: desired.action ?? config.action,
    ports: desired.ports ?? config.ports,
    allow: desired.allow ?? config.allow.map(formatPrefix),
    wanDevices: config.wanDevices,
    families: config.families,
  });
  return { policy, source: 'remote', version: desired.version };
}
