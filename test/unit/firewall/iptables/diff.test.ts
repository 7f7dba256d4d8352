import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffFamily, referencesToOwnChains } from '../../../../agent/firewall/iptables/diff.ts';
import { desiredRules } from '../../../../agent/firewall/iptables/rules.ts';
import {
  EMPTY_FILTER_TABLE,
  parseFilterTable,
  type SavedFilterTable,
} from '../../../../agent/firewall/iptables/save-output.ts';
import { fixture, policy } from '../../helpers.ts';
import { COUNTED, NO_WAN_MANY_PORTS, SINGLE_PORT } from './fixture-policies.ts';

const saved = (name: string): SavedFilterTable =>
  parseFilterTable(fixture(`iptables/${name}.save`));
const want4 = desiredRules(policy(COUNTED), 'ipv4');
const OFF = policy({ ...COUNTED, enabled: '0' });

test('real tables written by applyScript match the policy (each rule shape)', () => {
  assert.equal(diffFamily('ipv4', want4, saved('counted-ipv4')), []);
  assert.equal(
    diffFamily('ipv6', desiredRules(policy(COUNTED), 'ipv6'), saved('counted-ipv6')),
    [],
  );
  assert.equal(
    diffFamily(
      'ipv4',
      desiredRules(policy(NO_WAN_MANY_PORTS), 'ipv4'),
      saved('nowan-manyports-ipv4'),
    ),
    [],
  );
  assert.equal(
    diffFamily('ipv6', desiredRules(policy(SINGLE_PORT), 'ipv6'), saved('single-port-ipv6')),
    [],
  );
});

test('jump missing', () => {
  assert.equal(diffFamily('ipv4', want4, saved('tampered-jump-missing')), [
    'iptables: OUTPUT does not jump to OP25B',
  ]);
});

test('jump not first', () => {
  assert.equal(diffFamily('ipv4', want4, saved('tampered-jump-not-first')), [
    'iptables: FORWARD jumps to OP25B, but not first',
  ]);
});

test('duplicate jump (a jump from another chain does not count)', () => {
  assert.equal(diffFamily('ipv4', want4, saved('tampered-duplicate-jump')), [
    'iptables: OUTPUT jumps to OP25B 2 times',
  ]);
});

test('rule changed', () => {
  assert.equal(diffFamily('ipv4', want4, saved('tampered-rule-changed')), [
    'iptables: OP25B_BLOCK rule 3 is "-A OP25B_BLOCK -j ACCEPT", expected "-A OP25B_BLOCK -p tcp -j REJECT --reject-with tcp-reset"',
  ]);
});

test('chain missing (and the other one emptied)', () => {
  assert.equal(diffFamily('ipv4', want4, saved('tampered-chain-missing')), [
    'iptables: OP25B rule 1 is missing: "-A OP25B -o wan -p tcp -m multiport --dports 25,587 -j OP25B_BLOCK"',
    'iptables: chain OP25B_BLOCK is missing',
  ]);
});

test('nothing there yet: both chains and both jumps missing', () => {
  const expected = [
    'iptables: chain OP25B is missing',
    'iptables: chain OP25B_BLOCK is missing',
    'iptables: FORWARD does not jump to OP25B',
    'iptables: OUTPUT does not jump to OP25B',
  ];
  assert.equal(diffFamily('ipv4', want4, saved('fw3-base-ipv4')), expected);
  assert.equal(diffFamily('ipv4', want4, EMPTY_FILTER_TABLE), expected);
  assert.equal(
    diffFamily('ipv6', desiredRules(policy(COUNTED), 'ipv6'), EMPTY_FILTER_TABLE)[0],
    'ip6tables: chain OP25B is missing',
  );
});

test('a table written for another policy drifts', () => {
  const reject = diffFamily(
    'ipv4',
    desiredRules(policy({ ...COUNTED, action: 'drop' }), 'ipv4'),
    saved('counted-ipv4'),
  );
  assert.equal(reject, [
    'iptables: OP25B_BLOCK rule 3 is "-A OP25B_BLOCK -p tcp -j REJECT --reject-with tcp-reset", expected "-A OP25B_BLOCK -j DROP"',
  ]);
  const ports = diffFamily(
    'ipv4',
    desiredRules(policy({ ...COUNTED, ports: [25] }), 'ipv4'),
    saved('counted-ipv4'),
  );
  assert.equal(ports, [
    'iptables: OP25B rule 1 is "-A OP25B -o wan -p tcp -m multiport --dports 25,587 -j OP25B_BLOCK", expected "-A OP25B -o wan -p tcp -m tcp --dport 25 -j OP25B_BLOCK"',
  ]);
});

test('leftovers when the block is off: chains and jumps', () => {
  assert.equal(diffFamily('ipv4', desiredRules(OFF, 'ipv4'), saved('counted-ipv4')), [
    'iptables: chain OP25B exists although the block is off',
    'iptables: chain OP25B_BLOCK exists although the block is off',
    'iptables: a jump to OP25B remains',
  ]);
  assert.equal(diffFamily('ipv6', desiredRules(OFF, 'ipv6'), saved('counted-ipv6')), [
    'ip6tables: chain OP25B exists although the block is off',
    'ip6tables: chain OP25B_BLOCK exists although the block is off',
    'ip6tables: a jump to OP25B remains',
  ]);
  assert.equal(diffFamily('ipv4', null, saved('tampered-chain-missing')), [
    'iptables: chain OP25B exists although the block is off',
    'iptables: a jump to OP25B remains',
  ]);
});

test('a family left out of the policy must carry nothing', () => {
  const v6only = policy({ ...COUNTED, families: ['ipv6'] });
  assert.equal(diffFamily('ipv4', desiredRules(v6only, 'ipv4'), saved('counted-ipv4')).length, 3);
  assert.equal(diffFamily('ipv4', desiredRules(v6only, 'ipv4'), saved('fw3-base-ipv4')), []);
});

test('block off and nothing there: no drift', () => {
  assert.equal(diffFamily('ipv4', null, saved('fw3-base-ipv4')), []);
  assert.equal(diffFamily('ipv4', null, EMPTY_FILTER_TABLE), []);
});

test('at most five rule drifts per chain', () => {
  const text = [
    '*filter',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':OP25B - [0:0]',
    ':OP25B_BLOCK - [0:0]',
    '-A FORWARD -j OP25B',
    '-A OUTPUT -j OP25B',
    '-A OP25B -j OP25B_BLOCK',
    ...Array.from({ length: 8 }, (_, i) => `-A OP25B_BLOCK -s 198.51.100.${i}/32 -j DROP`),
    'COMMIT',
  ].join('\n');
  const drift = diffFamily('ipv4', want4, parseFilterTable(text));
  assert.equal(drift.filter((d) => d.startsWith('iptables: OP25B_BLOCK ')).length, 5);
  assert.equal(drift.filter((d) => d.startsWith('iptables: OP25B ')).length, 1);
  assert.is(drift.length, 6);
});

test("referencesToOwnChains: every jump into OP25B from any chain but the agent's own", () => {
  assert.equal(referencesToOwnChains(saved('tampered-extra-jumps')), [
    '-A INPUT -i wan -p tcp -m tcp --dport 25 -j OP25B',
    '-A FORWARD -j OP25B',
    '-A OUTPUT -j OP25B',
    '-A OUTPUT -j OP25B',
    '-A forwarding_rule -j OP25B',
  ]);
  assert.equal(referencesToOwnChains(saved('counted-ipv4')), [
    '-A FORWARD -j OP25B',
    '-A OUTPUT -j OP25B',
  ]);
  // Jumps into OP25B_BLOCK (from OP25B) are not jumps into the entry chain.
  assert.equal(referencesToOwnChains(saved('fw3-base-ipv4')), []);
  const own = parseFilterTable('*filter\n-A OP25B_BLOCK -j OP25B\n-A OP25B -j OP25B\nCOMMIT\n');
  assert.equal(referencesToOwnChains(own), []);
});

test.run();
