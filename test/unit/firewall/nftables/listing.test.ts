import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffRulesets } from '../../../../agent/firewall/nftables/diff.ts';
import { parseNftListing } from '../../../../agent/firewall/nftables/listing.ts';
import { desiredRuleset } from '../../../../agent/firewall/nftables/ruleset.ts';
import { fixture, policy } from '../../helpers.ts';
import { FIXTURE_POLICIES } from './fixture-policies.ts';

type Json = { nftables: Record<string, Record<string, unknown>>[] };

const listing = (name: string) => parseNftListing(fixture(`nftables/${name}.json`));

for (const [name, raw] of Object.entries(FIXTURE_POLICIES)) {
  test(`real listing "${name}" reads back as exactly the desired ruleset`, () => {
    const want = desiredRuleset(policy(raw));
    const have = listing(name).ruleset;
    assert.equal(have, want);
    assert.equal(diffRulesets(want, have), []);
  });
}

test('nft prints ports as numbers and IPv6 elements in its own spelling; both become canonical', () => {
  const document = JSON.parse(fixture('nftables/edge-relays.json')) as Json;
  const relays = document.nftables.find((i) => i.set?.name === 'relays_v6')!.set!;
  assert.equal(relays.elem, ['2001:db8::abcd', { prefix: { addr: '2001:db8:0:0:1::', len: 80 } }]);
  const sets = listing('edge-relays').ruleset.sets;
  // Adjacent prefixes stay two elements: the set has no auto-merge.
  assert.equal(sets.find((s) => s.name === 'relays_v4')!.elements, [
    '203.0.113.0/25',
    '203.0.113.128/25',
  ]);
  assert.equal(sets.find((s) => s.name === 'relays_v6')!.elements, [
    '2001:db8::abcd',
    '2001:db8:0:0:1::/80',
  ]);
  assert.equal(listing('full').ruleset.sets.find((s) => s.name === 'ports')!.elements, [
    '25',
    '465',
    '587',
  ]);
});

test('an untouched table counted nothing', () => {
  const { blocked, sources } = listing('full');
  assert.equal(blocked, { packets: 0, bytes: 0 });
  assert.equal(sources, []);
});

test('traffic counted: the blocked counter and per-source counts from the dynamic sets', () => {
  const { blocked, sources } = listing('counted');
  assert.equal(blocked, { packets: 6, bytes: 400 });
  assert.equal(sources, [
    { address: '198.51.100.2', attempts: 3 },
    { address: '198.51.100.3', attempts: 1 },
    { address: '2001:db8::2', attempts: 2 },
  ]);
  // The per-source counts add up to the counter: every blocked packet passed an update.
  assert.is(
    sources.reduce((sum, s) => sum + s.attempts, 0),
    blocked.packets,
  );
});

test('source addresses are made canonical and elements without counters are skipped', () => {
  const document = JSON.parse(fixture('nftables/counted.json')) as Json;
  const set = document.nftables.find((i) => i.set?.name === 'sources_v6')!.set!;
  set.elem = [
    { elem: { val: '2001:0DB8:0000:0000:0000:0000:0000:0009', counter: { packets: 7, bytes: 1 } } },
    { elem: { val: '2001:db8::10' } },
    { elem: { val: 'not-an-address', counter: { packets: 1, bytes: 1 } } },
    '2001:db8::11',
  ];
  const sources = parseNftListing(JSON.stringify(document)).sources;
  assert.equal(sources, [
    { address: '198.51.100.2', attempts: 3 },
    { address: '198.51.100.3', attempts: 1 },
    { address: '2001:db8::9', attempts: 7 },
  ]);
});

test('rules with expressions the parser does not know come out as ?<json>', () => {
  const rules = listing('tampered-extra-rule').ruleset.chains.find((c) => c.name === 'forward')!;
  assert.equal(rules.rules, [
    'oifname @wan_devices tcp dport @ports jump block',
    'ip saddr ?{"prefix":{"addr":"198.51.100.0","len":24}} tcp dport 25 ?{"log":{"prefix":"op25b "}} accept',
  ]);
});

test('statements: anonymous sets, goto, unknown reject types, anonymous counters', () => {
  const document = {
    nftables: [
      { chain: { family: 'inet', table: 'op25b', name: 'x', handle: 1 } },
      {
        rule: {
          chain: 'x',
          expr: [
            {
              match: {
                op: '==',
                left: { payload: { protocol: 'tcp', field: 'dport' } },
                right: { set: [25, 587] },
              },
            },
            { match: { op: '!=', left: { meta: { key: 'iifname' } }, right: 'br-lan' } },
            { counter: { packets: 3, bytes: 180 } },
            { goto: { target: 'block' } },
          ],
        },
      },
      {
        rule: {
          chain: 'x',
          expr: [{ reject: { type: 'icmpx', expr: 'admin-prohibited' } }],
        },
      },
      { rule: { chain: 'x', expr: [{ reject: null }] } },
      { rule: { chain: 'x', expr: [{ continue: null }] } },
      { rule: { chain: 'missing', expr: [{ accept: null }] } },
    ],
  };
  const chains = parseNftListing(JSON.stringify(document)).ruleset.chains;
  assert.equal(chains, [
    {
      name: 'x',
      base: null,
      rules: [
        'tcp dport { 25, 587 } iifname != "br-lan" counter goto block',
        '?{"reject":{"type":"icmpx","expr":"admin-prohibited"}}',
        'reject',
        'continue',
      ],
    },
  ]);
});

test('set elements in shapes the parser does not know come out as ?<json>', () => {
  const document = JSON.parse(fixture('nftables/full.json')) as Json;
  const set = document.nftables.find((i) => i.set?.name === 'relays_v4')!.set!;
  set.elem = [
    { range: ['203.0.113.1', '203.0.113.9'] },
    { prefix: { addr: '203.0.113.7', len: 24 } },
    '203.0.113.25',
  ];
  const parsed = parseNftListing(JSON.stringify(document));
  assert.equal(parsed.ruleset.sets.find((s) => s.name === 'relays_v4')!.elements, [
    '?{"range":["203.0.113.1","203.0.113.9"]}',
    '?{"prefix":{"addr":"203.0.113.7","len":24}}',
    '203.0.113.25',
  ]);
});

test('address elements in any spelling become canonical', () => {
  const document = JSON.parse(fixture('nftables/full.json')) as Json;
  const set = document.nftables.find((i) => i.set?.name === 'relays_v6')!.set!;
  set.elem = [
    '2001:0DB8:0000:0000:0000:0000:0000:0025',
    { prefix: { addr: '2001:DB8:FF::', len: 48 } },
  ];
  const parsed = parseNftListing(JSON.stringify(document));
  assert.equal(parsed.ruleset.sets.find((s) => s.name === 'relays_v6')!.elements, [
    '2001:db8::25',
    '2001:db8:ff::/48',
  ]);
  assert.equal(diffRulesets(desiredRuleset(policy(FIXTURE_POLICIES.full!)), parsed.ruleset), []);
});

test('not an nft JSON listing: throws', () => {
  assert.throws(() => parseNftListing('{"tables": []}'), /not an nft JSON listing/);
  assert.throws(() => parseNftListing('[]'), /not an nft JSON listing/);
  assert.throws(() => parseNftListing('null'), /not an nft JSON listing/);
  assert.throws(() => parseNftListing('table inet op25b {'));
  assert.throws(() => parseNftListing(''));
});

test('an empty listing is an empty ruleset', () => {
  assert.equal(parseNftListing('{"nftables": []}'), {
    ruleset: { counters: [], sets: [], chains: [] },
    blocked: { packets: 0, bytes: 0 },
    sources: [],
  });
});

test.run();
