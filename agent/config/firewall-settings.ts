// The config's choice of firewall backend, on its own: the one-shot commands read it before the
// rest of the agent's code is compiled (cli/early-start.ts), to start the kernel listing the chosen
// backend will ask for; configFromUci reads it with everything else.
import { InputError, quoteValue } from '../input-error.ts';
import { findSection, optionValue, type UciPackage, type UciSection } from './uci-parse.ts';

export const DEFAULT_CONFIG_PATH = '/etc/config/op25b';

export type BackendChoice = 'auto' | 'nftables' | 'iptables';
/** Which iptables binaries: the system's default names, or explicitly the legacy or nft ones. */
export type IptablesVariant = 'auto' | 'legacy' | 'nft';

export interface FirewallSettings {
  readonly backend: BackendChoice;
  readonly iptablesVariant: IptablesVariant;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  field: string,
): T {
  if (value === undefined) return allowed[0]!;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(
    `invalid_${field}`,
    `invalid policy.${field} ${quoteValue(value)}: expected ${allowed.join(', ')}`,
  );
}

/** policy.backend and policy.iptables_variant of the `config policy` section (may be absent). */
export function firewallSettings(section: UciSection | undefined): FirewallSettings {
  return {
    backend: oneOf(optionValue(section, 'backend'), ['auto', 'nftables', 'iptables'], 'backend'),
    iptablesVariant: oneOf(
      optionValue(section, 'iptables_variant'),
      ['auto', 'legacy', 'nft'],
      'iptables_variant',
    ),
  };
}

/** The firewall settings of a parsed config file. Throws InputError. */
export function firewallFromUci(pkg: UciPackage): FirewallSettings {
  return firewallSettings(findSection(pkg, 'policy', 'policy'));
}
