// Which iptables binaries to run. 'auto' uses the system's default names (on OpenWrt fw3 routers
// those are the legacy binaries); 'legacy' and 'nft' name one implementation explicitly.
import type { IptablesVariant } from '../../config/agent-config.ts';
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
