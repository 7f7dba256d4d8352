// The read-only programs a backend's apply and verify run before anything else: the kernel
// listings cli/early-start.ts starts while QuickJS still compiles the CLI. The backends list with
// these very argv (nftables/names.ts, iptables/tools.ts), so an early result always matches.
import type { IptablesVariant } from '../config/firewall-settings.ts';
import { ALL_FAMILIES } from '../policy/policy.ts';
import type { BackendName } from './backend.ts';
import { saveArgv } from './iptables/tools.ts';
import { LIST_ARGV } from './nftables/names.ts';

/** `force`: apply --force, which on nftables replaces the table without looking first. */
export function firstListings(
  backend: BackendName,
  variant: IptablesVariant,
  force: boolean,
): (readonly string[])[] {
  if (backend === 'nftables') return force ? [] : [LIST_ARGV];
  // iptables lists both families at once, --force or not: its script depends on what is there.
  if (backend === 'iptables') return ALL_FAMILIES.map((family) => saveArgv(variant, family));
  return [];
}
