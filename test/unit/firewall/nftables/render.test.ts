import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REMOVE_SCRIPT, renderScript } from '../../../../agent/firewall/nftables/render.ts';
import { desiredRuleset, type NftRuleset } from '../../../../agent/firewall/nftables/ruleset.ts';
import { policy } from '../../helpers.ts';
import { FULL } from './fixture-policies.ts';

const lines = (...text: string[]): string => `${text.join('\n')}\n`;

const CLEAR = ['table inet op25b { }', 'delete table inet op25b'];

const COUNTER = ['\tcounter blocked {', '\t}'];

const SOURCES = [
  '\tset sources_v4 {',
  '\t\ttype ipv4_addr',
  '\t\tsize 4096',
  '\t\tflags dynamic,timeout',
  '\t\tcounter',
  '\t\ttimeout 3600s',
  '\t}',
  '',
  '\tset sources_v6 {',
  '\t\ttype ipv6_addr',
  '\t\tsize 4096',
  '\t\tflags dynamic,timeout',
  '\t\tcounter',
  '\t\ttimeout 3600s',
  '\t}',
];

function baseChains(entry: string): string[] {
  return [
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter - 10; policy accept;',
    `\t\t${entry}`,
    '\t}',
    '',
    '\tchain output {',
    '\t\ttype filter hook output priority filter - 10; policy accept;',
    `\t\t${entry}`,
    '\t}',
  ];
}

test('golden: drop, both families, WAN devices, several ports and relays', () => {
  assert.fixture(
    renderScript(desiredRuleset(policy(FULL))),
    lines(
      ...CLEAR,
      'table inet op25b {',
      ...COUNTER,
      '',
      '\tset wan_devices {',
      '\t\ttype ifname',
      '\t\telements = { "wan", "wan6" }',
      '\t}',
      '',
      '\tset ports {',
      '\t\ttype inet_service',
      '\t\telements = { 25, 465, 587 }',
      '\t}',
      '',
      '\tset relays_v4 {',
      '\t\ttype ipv4_addr',
      '\t\tflags interval',
      '\t\telements = { 198.51.100.0/28, 203.0.113.25 }',
      '\t}',
      '',
      '\tset relays_v6 {',
      '\t\ttype ipv6_addr',
      '\t\tflags interval',
      '\t\telements = { 2001:db8::25, 2001:db8:ff::/48 }',
      '\t}',
      '',
      ...SOURCES,
      '',
      ...baseChains('oifname @wan_devices tcp dport @ports jump block'),
      '',
      '\tchain block {',
      '\t\tip daddr @relays_v4 return',
      '\t\tip6 daddr @relays_v6 return',
      '\t\tupdate @sources_v4 { ip saddr }',
      '\t\tupdate @sources_v6 { ip6 saddr }',
      '\t\tcounter name "blocked" drop',
      '\t}',
      '}',
    ),
  );
});

test('golden: reject, IPv4 only, one port, one relay', () => {
  assert.fixture(
    renderScript(
      desiredRuleset(
        policy({
          action: 'reject',
          families: ['ipv4'],
          allow: ['203.0.113.25'],
          wanDevices: ['wan'],
        }),
      ),
    ),
    lines(
      ...CLEAR,
      'table inet op25b {',
      ...COUNTER,
      '',
      '\tset wan_devices {',
      '\t\ttype ifname',
      '\t\telements = { "wan" }',
      '\t}',
      '',
      '\tset ports {',
      '\t\ttype inet_service',
      '\t\telements = { 25 }',
      '\t}',
      '',
      '\tset relays_v4 {',
      '\t\ttype ipv4_addr',
      '\t\tflags interval',
      '\t\telements = { 203.0.113.25 }',
      '\t}',
      '',
      '\tset relays_v6 {',
      '\t\ttype ipv6_addr',
      '\t\tflags interval',
      '\t}',
      '',
      ...SOURCES,
      '',
      ...baseChains('meta nfproto ipv4 oifname @wan_devices tcp dport @ports jump block'),
      '',
      '\tchain block {',
      '\t\tip daddr @relays_v4 return',
      '\t\tip6 daddr @relays_v6 return',
      '\t\tupdate @sources_v4 { ip saddr }',
      '\t\tmeta l4proto tcp counter name "blocked" reject with tcp reset',
      '\t}',
      '}',
    ),
  );
});

test('golden: no WAN devices and no relays: empty sets, oifname != "lo"', () => {
  assert.fixture(
    renderScript(desiredRuleset(policy({}))),
    lines(
      ...CLEAR,
      'table inet op25b {',
      ...COUNTER,
      '',
      '\tset wan_devices {',
      '\t\ttype ifname',
      '\t}',
      '',
      '\tset ports {',
      '\t\ttype inet_service',
      '\t\telements = { 25 }',
      '\t}',
      '',
      '\tset relays_v4 {',
      '\t\ttype ipv4_addr',
      '\t\tflags interval',
      '\t}',
      '',
      '\tset relays_v6 {',
      '\t\ttype ipv6_addr',
      '\t\tflags interval',
      '\t}',
      '',
      ...SOURCES,
      '',
      ...baseChains('oifname != "lo" tcp dport @ports jump block'),
      '',
      '\tchain block {',
      '\t\tip daddr @relays_v4 return',
      '\t\tip6 daddr @relays_v6 return',
      '\t\tupdate @sources_v4 { ip saddr }',
      '\t\tupdate @sources_v6 { ip6 saddr }',
      '\t\tcounter name "blocked" drop',
      '\t}',
      '}',
    ),
  );
});

test('IPv6 only: the entry rules match ipv6 and only IPv6 sources are tracked', () => {
  const script = renderScript(desiredRuleset(policy({ families: ['ipv6'], wanDevices: ['wan'] })));
  const entry = '\t\tmeta nfproto ipv6 oifname @wan_devices tcp dport @ports jump block\n';
  assert.is(script.split(entry).length - 1, 2);
  assert.ok(script.includes('\t\tupdate @sources_v6 { ip6 saddr }\n'));
  assert.not.ok(script.includes('update @sources_v4'));
});

test('a disabled policy: the script only removes the table', () => {
  const script = renderScript(desiredRuleset(policy({ ...FULL, enabled: '0' })));
  assert.is(script, 'table inet op25b { }\ndelete table inet op25b\n');
  assert.is(renderScript(null), script);
  assert.is(REMOVE_SCRIPT, script);
});

test('every script starts by clearing the old table, in the same transaction', () => {
  const script = renderScript(desiredRuleset(policy(FULL)));
  assert.ok(
    script.startsWith('table inet op25b { }\ndelete table inet op25b\ntable inet op25b {\n'),
  );
  assert.ok(script.endsWith('\n}\n'));
});

test('base chain priorities: 0 is "filter", positive ones are added', () => {
  const ruleset: NftRuleset = {
    counters: [],
    sets: [],
    chains: [
      {
        name: 'a',
        base: { type: 'filter', hook: 'input', priority: 0, policy: 'drop' },
        rules: [],
      },
      {
        name: 'b',
        base: { type: 'filter', hook: 'input', priority: 5, policy: 'accept' },
        rules: [],
      },
      { name: 'c', base: null, rules: ['return'] },
    ],
  };
  assert.fixture(
    renderScript(ruleset),
    lines(
      ...CLEAR,
      'table inet op25b {',
      '\tchain a {',
      '\t\ttype filter hook input priority filter; policy drop;',
      '\t}',
      '',
      '\tchain b {',
      '\t\ttype filter hook input priority filter + 5; policy accept;',
      '\t}',
      '',
      '\tchain c {',
      '\t\treturn',
      '\t}',
      '}',
    ),
  );
});

test.run();
