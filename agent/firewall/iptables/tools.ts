// Which iptables binaries to run. 'auto' uses the system's default names (on OpenWrt fw3 routers
// those are the legacy binaries); 'legacy' and 'nft' name one implementation explicitly.
import type { IptablesVariant } from '../../config/firewall-settings.ts';
import type { Family } from '../../policy/address.ts';

export interface IptablesTools {
  readonly save: string;
  readonly restore: string;
}

export function iptablesTools(variant: IptablesVariant, family: Family): IptablesTools {
  const base = family === 'ipv4' ? 'iptables' : 'ip6tables';
  const infix = variant === 'auto' ? '' : `-${variant}`;
  return { save: `${base}${infix}-save`, restore: `${base}${infix}-restore` };
}

/**
 * How the backend lists a family's tables, counters included (cli/early-start.ts may start it
 * early). No `-t filter`: naming the table would make the legacy binaries create it.
 */
export function saveArgv(variant: IptablesVariant, family: Family): string[] {
  return [iptablesTools(variant, family).save, '-c'];
}
