import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffRulesets } from '../../../../agent/firewall/nftables/diff.ts';
import { parseNftListing } from '../../../../agent/firewall/nftables/listing.ts';
import { desiredRuleset, type NftRuleset } from '../../../../agent/firewall/nftables/ruleset.ts';
import { fixture, policy } from '../../helpers.ts';
import { FULL } from './fixture-policies.ts';

type Json = { nftables: Record<string, Record<string, unknown>>[] };

const want = desiredRuleset(policy(FULL))!;
const real = (name: string) => parseNftListing(fixture(`nftables/${name}.json`)).ruleset;

/** The full fixture's JSON, changed by `edit`, parsed back. */
function edited(edit: (items: Record<string, Record<string, unknown>>[]) => void): NftRuleset {
  const document = JSON.parse(fixture('nftables/full.json')) as Json;
  edit(document.nftables);
  return parseNftListing(JSON.stringify(document)).ruleset;
}

test('no drift when the kernel holds exactly the desired table', () => {
  assert.equal(diffRulesets(want, real('full')), []);
  assert.equal(diffRulesets(want, want), []);
});

test('table missing', () => {
  assert.equal(diffRulesets(want, null), ['table inet op25b is missing']);
});

test('disabled policy: the table must not exist', () => {
  assert.equal(diffRulesets(null, null), []);
  assert.equal(diffRulesets(null, real('full')), [
    'table inet op25b exists although the block is disabled',
  ]);
  assert.equal(diffRulesets(desiredRuleset(policy({ enabled: '0' })), real('counted')), [
    'table inet op25b exists although the block is disabled',
  ]);
});

test('real tampering: a rule deleted', () => {
  assert.equal(diffRulesets(want, real('tampered-rule-deleted')), [
    'chain output rule 1 is missing: "oifname @wan_devices tcp dport @ports jump block"',
  ]);
});

test('real tampering: the verdict changed to accept', () => {
  assert.equal(diffRulesets(want, real('tampered-verdict-accept')), [
    'chain block rule 5 is "counter name "blocked" accept", expected "counter name "blocked" drop"',
  ]);
});

test('real tampering: an extra rule (with expressions the parser does not know)', () => {
  assert.equal(diffRulesets(want, real('tampered-extra-rule')), [
    'chain forward rule 2 is unexpected: "ip saddr ?{"prefix":{"addr":"198.51.100.0","len":24}} tcp dport 25 ?{"log":{"prefix":"op25b "}} accept"',
  ]);
});

test('real tampering: a relay element removed, another added', () => {
  assert.equal(diffRulesets(want, real('tampered-relay-removed')), [
    'set relays_v4 lacks 203.0.113.25',
    'set relays_v6 has unexpected 2001:db8::99',
  ]);
});

test('real tampering: base chain priority changed (chain re-created, listed last)', () => {
  const have = real('tampered-priority');
  assert.equal(
    have.chains.map((c) => c.name),
    ['output', 'block', 'forward'],
  );
  assert.equal(diffRulesets(want, have), [
    'chain forward is "type filter hook forward priority 0 policy accept", expected "type filter hook forward priority -10 policy accept"',
  ]);
});

test('real tampering: extra set and chain, base chain policy drop, a port removed', () => {
  assert.equal(diffRulesets(want, real('tampered-extras')), [
    'set ports lacks 465',
    'set extra is unexpected',
    'chain output is "type filter hook output priority -10 policy drop", expected "type filter hook output priority -10 policy accept"',
    'chain extra is unexpected',
  ]);
});

test('the listing of another policy drifts from this one', () => {
  assert.equal(diffRulesets(want, real('no-wan')), [
    'set wan_devices lacks wan, wan6',
    'set ports lacks 465, 587',
    'set relays_v4 lacks 198.51.100.0/28, 203.0.113.25',
    'set relays_v6 lacks 2001:db8::25, 2001:db8:ff::/48',
    'chain forward rule 1 is "oifname != "lo" tcp dport @ports jump block", expected "oifname @wan_devices tcp dport @ports jump block"',
    'chain output rule 1 is "oifname != "lo" tcp dport @ports jump block", expected "oifname @wan_devices tcp dport @ports jump block"',
  ]);
  // ...and the WAN set is not named: no WAN devices wanted means the set is empty.
  assert.equal(
    diffRulesets(desiredRuleset(policy({}))!, real('full')).filter((d) =>
      d.includes('wan_devices'),
    ),
    [
      'set wan_devices has unexpected wan, wan6',
      'chain forward rule 1 is "oifname @wan_devices tcp dport @ports jump block", expected "oifname != "lo" tcp dport @ports jump block"',
      'chain output rule 1 is "oifname @wan_devices tcp dport @ports jump block", expected "oifname != "lo" tcp dport @ports jump block"',
    ],
  );
});

test('drop vs reject listings differ in the verdict', () => {
  const reject = desiredRuleset(policy({ ...FULL, action: 'reject' }))!;
  assert.equal(diffRulesets(reject, real('full')), [
    'chain block rule 5 is "counter name "blocked" drop", expected "meta l4proto tcp counter name "blocked" reject with tcp reset"',
  ]);
});

test('the counter missing', () => {
  const have = edited((items) => {
    const index = items.findIndex((i) => i.counter !== undefined);
    items.splice(index, 1);
  });
  assert.equal(diffRulesets(want, have), ['counter blocked is missing']);
});

test('a set missing, and a set of the wrong type', () => {
  const have = edited((items) => {
    items.splice(
      items.findIndex((i) => i.set?.name === 'sources_v6'),
      1,
    );
    items.find((i) => i.set?.name === 'ports')!.set!.type = 'ipv4_addr';
  });
  assert.equal(diffRulesets(want, have), [
    'set ports has type ipv4_addr, expected inet_service',
    'set sources_v6 is missing',
  ]);
});

test('a chain missing, and a base chain turned into a regular one', () => {
  const have = edited((items) => {
    items.splice(
      items.findIndex((i) => i.chain?.name === 'block'),
      1,
    );
    const output = items.find((i) => i.chain?.name === 'output')!.chain!;
    delete output.hook;
    delete output.type;
    delete output.prio;
    delete output.policy;
  });
  assert.equal(diffRulesets(want, have), [
    'chain output is "regular chain", expected "type filter hook output priority -10 policy accept"',
    'chain block is missing',
  ]);
});

test('the elements of dynamic sets are never drift', () => {
  assert.equal(diffRulesets(desiredRuleset(policy(FULL))!, real('full')), []);
  const counted = parseNftListing(fixture('nftables/counted.json'));
  assert.ok(counted.sources.length > 0);
  assert.equal(
    diffRulesets(
      desiredRuleset(
        policy({
          action: 'reject',
          ports: [25, 587],
          allow: ['203.0.113.25'],
          wanDevices: ['wan'],
        }),
      ),
      counted.ruleset,
    ),
    [],
  );
});

test('a set listed as dynamic is never compared by elements, on either side', () => {
  const set = (elements: readonly string[] | 'dynamic'): NftRuleset => ({
    counters: [],
    sets: [{ name: 'sources_v4', type: 'ipv4_addr', elements }],
    chains: [],
  });
  assert.equal(diffRulesets(set('dynamic'), set(['198.51.100.2'])), []);
  assert.equal(diffRulesets(set(['198.51.100.2']), set('dynamic')), []);
  assert.equal(diffRulesets(set(['198.51.100.2']), set([])), ['set sources_v4 lacks 198.51.100.2']);
});

test('set element order does not matter', () => {
  const have: NftRuleset = {
    ...want,
    sets: want.sets.map((s) =>
      s.elements === 'dynamic' ? s : { ...s, elements: [...s.elements].reverse() },
    ),
  };
  assert.equal(diffRulesets(want, have), []);
});

test('at most five rule drifts per chain', () => {
  const noisy: NftRuleset = {
    ...want,
    chains: want.chains.map((c) =>
      c.name === 'block' ? { ...c, rules: Array.from({ length: 9 }, (_, i) => `accept ${i}`) } : c,
    ),
  };
  const drift = diffRulesets(want, noisy);
  assert.equal(drift, [
    'chain block rule 1 is "accept 0", expected "ip daddr @relays_v4 return"',
    'chain block rule 2 is "accept 1", expected "ip6 daddr @relays_v6 return"',
    'chain block rule 3 is "accept 2", expected "update @sources_v4 { ip saddr }"',
    'chain block rule 4 is "accept 3", expected "update @sources_v6 { ip6 saddr }"',
    'chain block rule 5 is "accept 4", expected "counter name "blocked" drop"',
  ]);
});

test.run();
