// The backend the config and the router choose, its code loaded only then: a one-shot command
// (cli/commands.ts) compiles one backend, not both, since QuickJS compiles every module it loads
// in full. In the QuickJS bundle each backend is a chunk of its own. The daemon builds them
// through select-backend.ts. And `remove`, which loads every backend the router has.
import type { FirewallSettings } from '../config/firewall-settings.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { FirewallError, type FirewallBackend } from './backend.ts';
import { decideBackend, type BackendDecision } from './choose-backend.ts';
import { iptablesTools } from './iptables/tools.ts';

export interface LoadedBackend {
  readonly backend: FirewallBackend;
  readonly decision: BackendDecision;
}

/** Throws FirewallError synchronously when no backend fits (a caller's await has not run yet). */
export function loadBackend(runtime: Runtime, settings: FirewallSettings): Promise<LoadedBackend> {
  const decision = decideBackend(runtime, settings);
  const backend: Promise<FirewallBackend> =
    decision.name === 'nftables'
      ? import('./nftables/backend.ts').then((m) => m.createNftablesBackend(runtime))
      : import('./iptables/backend.ts').then((m) =>
          m.createIptablesBackend(runtime, settings.iptablesVariant),
        );
  return backend.then((loaded) => ({ backend: loaded, decision }));
}

/** Removes everything the agent created on any backend; keeps going past errors, then reports. */
export async function removeEverywhere(runtime: Runtime): Promise<void> {
  const { createNftablesBackend } = await import('./nftables/backend.ts');
  const { createIptablesBackend } = await import('./iptables/backend.ts');
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
