import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { iptablesTools } from '../../../../agent/firewall/iptables/tools.ts';

const table = [
  ['auto', 'ipv4', 'iptables-save', 'iptables-restore'],
  ['auto', 'ipv6', 'ip6tables-save', 'ip6tables-restore'],
  ['legacy', 'ipv4', 'iptables-legacy-save', 'iptables-legacy-restore'],
  ['legacy', 'ipv6', 'ip6tables-legacy-save', 'ip6tables-legacy-restore'],
  ['nft', 'ipv4', 'iptables-nft-save', 'iptables-nft-restore'],
  ['nft', 'ipv6', 'ip6tables-nft-save', 'ip6tables-nft-restore'],
] as const;

for (const [variant, family, save, restore] of table) {
  test(`${variant} ${family}: ${save} and ${restore}`, () => {
    assert.equal(iptablesTools(variant, family), { save, restore });
  });
}

test.run();
