// Probes the router, decides on a backend and builds it, for the daemon (the one-shot commands
// load only the backend they use: load-backend.ts).
import type { FirewallSettings } from '../config/firewall-settings.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { FirewallBackend } from './backend.ts';
import { decideBackend, type BackendDecision } from './choose-backend.ts';
import { createIptablesBackend } from './iptables/backend.ts';
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
