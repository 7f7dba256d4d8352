// Snapshots of a namespace's whole netfilter ruleset (comparable text: counters, timers and
// comment/date lines stripped), and the firewall baselines that stand in for OpenWrt's own.
import type { BackendSetting } from './agent.ts';
import { exec, execOk } from './exec.ts';

/** Every view of the ruleset: nft's, and iptables-save's of both variants and families. */
export interface RulesetSnapshot {
  readonly nft: string;
  readonly 'iptables-legacy': string;
  readonly 'ip6tables-legacy': string;
  readonly 'iptables-nft': string;
  readonly 'ip6tables-nft': string;
}

const SAVE_TOOLS = [
  'iptables-legacy',
  'ip6tables-legacy',
  'iptables-nft',
  'ip6tables-nft',
] as const;

/** `nft list ruleset` without counter values, set-element timers or comment lines. */
export function stripNft(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .map((line) =>
      line
        .replace(/ packets \d+ bytes \d+/g, '')
        .replace(/ expires [0-9hmsd.]+/g, '')
        .trimEnd(),
    )
    .filter((line) => line !== '')
    .join('\n');
}

/** iptables-save output without the "# Generated/Completed" lines and without counters. */
export function stripIptablesSave(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#') && line.trim() !== '')
    .map((line) => line.replace(/\s*\[\d+:\d+\]/g, '').trimEnd())
    .join('\n');
}

export async function snapshotRuleset(ns: string): Promise<RulesetSnapshot> {
  const [nft, ...saves] = await Promise.all([
    execOk(ns, ['nft', 'list', 'ruleset']),
    ...SAVE_TOOLS.map((tool) => execOk(ns, [`${tool}-save`])),
  ]);
  return {
    nft: stripNft(nft),
    'iptables-legacy': stripIptablesSave(saves[0]!),
    'ip6tables-legacy': stripIptablesSave(saves[1]!),
    'iptables-nft': stripIptablesSave(saves[2]!),
    'ip6tables-nft': stripIptablesSave(saves[3]!),
  };
}

/** A stand-in for OpenWrt's fw4: accept-all filter chains at priority 0 that track state. */
export const FW4_BASELINE = `table inet fw4 {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
		accept
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related accept
		tcp dport { 25, 465, 587 } counter accept
		accept
	}

	chain output {
		type filter hook output priority filter; policy accept;
		ct state established,related accept
		tcp dport 25 accept
		accept
	}
}
`;

/** An fw3-like filter table: user chains jumped first, explicit ACCEPTs, policy ACCEPT. */
export const FW3_BASELINE = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:forwarding_rule - [0:0]
:output_rule - [0:0]
:zone_lan_forward - [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -m comment --comment "!fw3: Custom forwarding rule chain" -j forwarding_rule
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i lan1 -j zone_lan_forward
-A FORWARD -i lan2 -j zone_lan_forward
-A FORWARD -j ACCEPT
-A OUTPUT -m comment --comment "!fw3: Custom output rule chain" -j output_rule
-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A OUTPUT -p tcp -m tcp --dport 25 -j ACCEPT
-A OUTPUT -j ACCEPT
-A zone_lan_forward -p tcp -m tcp --dport 25 -j ACCEPT
-A zone_lan_forward -j ACCEPT
COMMIT
`;

/**
 * Puts the namespace's firewall into the baseline state for `setting`: nothing of nft, then the
 * fw4 stand-in (nftables) or the fw3-like table in both families of the chosen iptables
 * variant. Also empties the conntrack table. Idempotent: also used to reset between tests.
 */
export async function installBaseline(ns: string, setting: BackendSetting): Promise<void> {
  await execOk(ns, ['nft', 'flush', 'ruleset']);
  if (setting.backend === 'nftables') {
    await execOk(ns, ['nft', '-f', '-'], { stdin: FW4_BASELINE });
  } else {
    const variant = setting.iptablesVariant ?? 'legacy';
    // Without --noflush, restore replaces the whole filter table (and drops user chains).
    await execOk(ns, [`iptables-${variant}-restore`], { stdin: FW3_BASELINE });
    await execOk(ns, [`ip6tables-${variant}-restore`], { stdin: FW3_BASELINE });
  }
  // Nothing may fail here silently, but an empty table is fine.
  await exec(ns, ['conntrack', '-F']);
  await exec(ns, ['conntrack', '-F', '-f', 'ipv6']);
}
