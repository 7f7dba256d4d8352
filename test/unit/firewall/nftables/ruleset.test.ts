import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { desiredRuleset } from '../../../../agent/firewall/nftables/ruleset.ts';
import { policy } from '../../helpers.ts';
import { FULL } from './fixture-policies.ts';

test('a disabled policy wants no table at all', () => {
  assert.is(desiredRuleset(policy({ enabled: '0' })), null);
  assert.is(desiredRuleset(policy({ ...FULL, enabled: false })), null);
});

test('the full policy as data', () => {
  assert.equal(desiredRuleset(policy(FULL)), {
    counters: ['blocked'],
    sets: [
      { name: 'wan_devices', type: 'ifname', elements: ['wan', 'wan6'] },
      { name: 'ports', type: 'inet_service', elements: ['25', '465', '587'] },
      { name: 'relays_v4', type: 'ipv4_addr', elements: ['198.51.100.0/28', '203.0.113.25'] },
      { name: 'relays_v6', type: 'ipv6_addr', elements: ['2001:db8::25', '2001:db8:ff::/48'] },
      { name: 'sources_v4', type: 'ipv4_addr', elements: 'dynamic' },
      { name: 'sources_v6', type: 'ipv6_addr', elements: 'dynamic' },
    ],
    chains: [
      {
        name: 'forward',
        base: { type: 'filter', hook: 'forward', priority: -10, policy: 'accept' },
        rules: ['oifname @wan_devices tcp dport @ports jump block'],
      },
      {
        name: 'output',
        base: { type: 'filter', hook: 'output', priority: -10, policy: 'accept' },
        rules: ['oifname @wan_devices tcp dport @ports jump block'],
      },
      {
        name: 'block',
        base: null,
        rules: [
          'ip daddr @relays_v4 return',
          'ip6 daddr @relays_v6 return',
          'update @sources_v4 { ip saddr }',
          'update @sources_v6 { ip6 saddr }',
          'counter name "blocked" drop',
        ],
      },
    ],
  });
});

test('reject answers with a TCP reset and still counts', () => {
  const block = desiredRuleset(policy({ action: 'reject' }))!.chains[2]!;
  assert.is(block.rules.at(-1), 'meta l4proto tcp counter name "blocked" reject with tcp reset');
});

test('no WAN device: every egress but loopback (fail closed)', () => {
  const ruleset = desiredRuleset(policy({}))!;
  assert.equal(ruleset.chains[0]!.rules, ['oifname != "lo" tcp dport @ports jump block']);
  assert.equal(ruleset.chains[1]!.rules, ['oifname != "lo" tcp dport @ports jump block']);
  assert.equal(ruleset.sets[0], { name: 'wan_devices', type: 'ifname', elements: [] });
});

test('one family only: the entry rules match it and only its sources are tracked', () => {
  const v4 = desiredRuleset(policy({ families: ['ipv4'], wanDevices: ['wan'] }))!;
  assert.equal(v4.chains[0]!.rules, [
    'meta nfproto ipv4 oifname @wan_devices tcp dport @ports jump block',
  ]);
  assert.equal(v4.chains[2]!.rules, [
    'ip daddr @relays_v4 return',
    'ip6 daddr @relays_v6 return',
    'update @sources_v4 { ip saddr }',
    'counter name "blocked" drop',
  ]);
  const v6 = desiredRuleset(policy({ families: ['ipv6'] }))!;
  assert.equal(v6.chains[1]!.rules, [
    'meta nfproto ipv6 oifname != "lo" tcp dport @ports jump block',
  ]);
  assert.equal(v6.chains[2]!.rules, [
    'ip daddr @relays_v4 return',
    'ip6 daddr @relays_v6 return',
    'update @sources_v6 { ip6 saddr }',
    'counter name "blocked" drop',
  ]);
});

test('relays are split by family in canonical text', () => {
  const sets = desiredRuleset(
    policy({ allow: ['2001:DB8:0:0:0:0:0:1', '203.0.113.0/24', '203.0.113.9', '198.51.100.1/32'] }),
  )!.sets;
  assert.equal(sets[2]!.elements, ['198.51.100.1', '203.0.113.0/24']);
  assert.equal(sets[3]!.elements, ['2001:db8::1']);
});

test.run();
