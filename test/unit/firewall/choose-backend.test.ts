import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackendChoice } from '../../../agent/config/agent-config.ts';
import { FirewallError } from '../../../agent/firewall/backend.ts';
import { chooseBackend, type BackendProbe } from '../../../agent/firewall/choose-backend.ts';

const probe = (nft: boolean, fw4: boolean, iptablesRestore: boolean): BackendProbe => ({
  nft,
  fw4,
  iptablesRestore,
});

// [setting, nft, fw4, iptables-restore] -> [backend, reason] or an error.
const table: [BackendChoice, boolean, boolean, boolean, string | null, string][] = [
  ['auto', true, true, true, 'nftables', 'fw4 and nft found'],
  ['auto', true, true, false, 'nftables', 'fw4 and nft found'],
  ['auto', false, true, true, 'iptables', 'fw4 not found, iptables-restore found (fw3 firewall)'],
  ['auto', true, false, true, 'iptables', 'fw4 not found, iptables-restore found (fw3 firewall)'],
  ['auto', false, false, true, 'iptables', 'fw4 not found, iptables-restore found (fw3 firewall)'],
  ['auto', true, false, false, 'nftables', 'nft found, no iptables-restore'],
  [
    'auto',
    false,
    true,
    false,
    null,
    'neither nft nor iptables-restore found: cannot enforce the block',
  ],
  [
    'auto',
    false,
    false,
    false,
    null,
    'neither nft nor iptables-restore found: cannot enforce the block',
  ],
  ['nftables', false, false, false, 'nftables', "backend 'nftables' set in config"],
  ['nftables', false, false, true, 'nftables', "backend 'nftables' set in config"],
  ['iptables', true, true, false, 'iptables', "backend 'iptables' set in config"],
  ['iptables', false, false, false, 'iptables', "backend 'iptables' set in config"],
];

for (const [setting, nft, fw4, restore, name, reason] of table) {
  test(`${setting} with nft=${nft} fw4=${fw4} iptables-restore=${restore}`, () => {
    const choose = () => chooseBackend(setting, probe(nft, fw4, restore));
    if (name === null) {
      assert.throws(choose, (error: unknown) => error instanceof FirewallError);
      assert.throws(choose, new RegExp(`^${reason}$`));
    } else assert.equal(choose(), { name, reason });
  });
}

test.run();
