// Which netfilter backend to drive: a pure decision over what the router has, with the reason
// kept so that `status` (and later the ISP's portal) can say why.
import type { BackendChoice, FirewallSettings } from '../config/firewall-settings.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { FirewallError, type BackendName } from './backend.ts';
import { iptablesTools } from './iptables/tools.ts';

export interface BackendProbe {
  readonly nft: boolean;
  /** fw4 is the nftables firewall of OpenWrt 22.03 and later. */
  readonly fw4: boolean;
  readonly iptablesRestore: boolean;
}

export interface BackendDecision {
  readonly name: BackendName;
  readonly reason: string;
}

export function chooseBackend(setting: BackendChoice, probe: BackendProbe): BackendDecision {
  if (setting !== 'auto') return { name: setting, reason: `backend '${setting}' set in config` };
  if (probe.nft && probe.fw4) return { name: 'nftables', reason: 'fw4 and nft found' };
  if (probe.iptablesRestore)
    return { name: 'iptables', reason: 'fw4 not found, iptables-restore found (fw3 firewall)' };
  if (probe.nft) return { name: 'nftables', reason: 'nft found, no iptables-restore' };
  throw new FirewallError('neither nft nor iptables-restore found: cannot enforce the block');
}

/** chooseBackend over the programs on this router's PATH. Throws FirewallError. */
export function decideBackend(runtime: Runtime, settings: FirewallSettings): BackendDecision {
  return chooseBackend(settings.backend, {
    nft: runtime.findExecutable('nft') !== null,
    fw4: runtime.findExecutable('fw4') !== null,
    iptablesRestore:
      runtime.findExecutable(iptablesTools(settings.iptablesVariant, 'ipv4').restore) !== null,
  });
}
