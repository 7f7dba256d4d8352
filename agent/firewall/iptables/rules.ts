// The iptables rules for a policy, one address family at a time, in the exact form
// `iptables-save` prints them, so that the same lines serve for applying and for verifying.
import type { Family } from '../../policy/address.ts';
import type { Policy } from '../../policy/policy.ts';
import {
  CHAIN_BLOCK,
  CHAIN_ENTRY,
  HOOK_CHAINS,
  MULTIPORT_MAX,
  RECENT_LIST,
  RECENT_MASK,
} from './names.ts';

export interface IptablesRules {
  /** Rules of the agent's chains, by chain name, as `-A CHAIN ...` lines. */
  readonly chains: ReadonlyMap<string, readonly string[]>;
  /** The jump each hook chain (FORWARD, OUTPUT) must have as its first rule. */
  readonly jumps: ReadonlyMap<string, string>;
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** The rules for one family, or null when that family must carry no rules at all. */
export function desiredRules(policy: Policy, family: Family): IptablesRules | null {
  if (!policy.enabled || !policy.families.includes(family)) return null;
  // No known WAN device: every egress but loopback (fail closed).
  const egress = policy.wanDevices.length ? policy.wanDevices.map((d) => `-o ${d}`) : ['! -o lo'];
  const portMatches = chunks(policy.ports, MULTIPORT_MAX).map((ports) =>
    ports.length === 1
      ? `-p tcp -m tcp --dport ${ports[0]}`
      : `-p tcp -m multiport --dports ${ports.join(',')}`,
  );
  const entry = egress.flatMap((out) =>
    portMatches.map((ports) => `-A ${CHAIN_ENTRY} ${out} ${ports} -j ${CHAIN_BLOCK}`),
  );
  const block = [
    ...policy.allow
      .filter((p) => p.family === family)
      .map((p) => `-A ${CHAIN_BLOCK} -d ${p.address}/${p.length} -j RETURN`),
    `-A ${CHAIN_BLOCK} -m recent --set --name ${RECENT_LIST[family]} --mask ${RECENT_MASK[family]} --rsource`,
    policy.action === 'reject'
      ? `-A ${CHAIN_BLOCK} -p tcp -j REJECT --reject-with tcp-reset`
      : `-A ${CHAIN_BLOCK} -j DROP`,
  ];
  return {
    chains: new Map([
      [CHAIN_ENTRY, entry],
      [CHAIN_BLOCK, block],
    ]),
    jumps: new Map(HOOK_CHAINS.map((hook) => [hook, `-A ${hook} -j ${CHAIN_ENTRY}`])),
  };
}
