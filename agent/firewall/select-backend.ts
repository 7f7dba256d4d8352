// Probes the router, decides on a backend and builds it; and removes the agent's objects from
// every backend at once, leftovers of the one not in use included.
import type { FirewallSettings } from '../config/firewall-settings.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { FirewallError, type FirewallBackend } from './backend.ts';
import { decideBackend, type BackendDecision } from './choose-backend.ts';
import { createIptablesBackend } from './iptables/backend.ts';
import { iptablesTools } from './iptables/tools.ts';
import { createNftablesBackend } from './nftables/backend.ts';

export interface SelectedBackend {
  readonly backend: FirewallBackend;
  readonly decision: BackendDecision;
}

export function selectBackend(runtime: Runtime, settings: FirewallSettings): SelectedBackend {
  const decision = decideBackend(runtime, settings);
  const backend =
    decision.name === 'nftables'
      ? createNftablesBackend(runtime)
      : createIptablesBackend(runtime, settings.iptablesVariant);
  return { backend, decision };
}

/** Removes everything the agent created on any backend; keeps going past errors, then reports. */
export async function removeEverywhere(runtime: Runtime): Promise<void> {
  const backends: FirewallBackend[] = [];
  if (runtime.findExecutable('nft')) backends.push(createNftablesBackend(runtime));
  for (const variant of ['legacy', 'nft'] as const)
    if (runtime.findExecutable(iptablesTools(variant, 'ipv4').save))
      backends.push(createIptablesBackend(runtime, variant));
  // Routers with only the plain names (iptables-save as a legacy build, say).
  if (!backends.some((b) => b.name === 'iptables') && runtime.findExecutable('iptables-save'))
    backends.push(createIptablesBackend(runtime, 'auto'));
  const errors: string[] = [];
  for (const backend of backends) {
    try {
      await backend.remove();
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (errors.length) throw new FirewallError(`remove incomplete: ${errors.join('; ')}`);
}
