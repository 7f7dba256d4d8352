import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatPrefix } from '../../../agent/policy/address.ts';
import { effectivePolicy } from '../../../agent/policy/effective-policy.ts';
import { desiredFromObject } from '../../../agent/remote/desired-state.ts';
import { inputError, policy } from '../helpers.ts';

const config = policy({
  enabled: '1',
  action: 'reject',
  ports: ['25', '587'],
  allow: ['203.0.113.25', '2001:db8::/32'],
  wanDevices: ['pppoe-wan', 'wan6'],
  families: ['ipv4'],
});

const desired = (body: Record<string, unknown>) => desiredFromObject({ enabled: true, ...body });

test('without a desired state the config stands, as version 0', () => {
  const effective = effectivePolicy(config, null);
  assert.is(effective.policy, config);
  assert.is(effective.source, 'config');
  assert.is(effective.version, 0);
});

test('a minimal desired state sets enabled and keeps the rest of the config', () => {
  const effective = effectivePolicy(config, desired({ version: 4, enabled: false }));
  assert.is(effective.source, 'remote');
  assert.is(effective.version, 4);
  assert.equal(effective.policy, { ...config, enabled: false });
});

test('action, ports and allow replace the config; WAN devices and families never do', () => {
  const { policy: p } = effectivePolicy(
    config,
    desired({ version: 5, action: 'drop', ports: [465, 25, 465], allow: ['198.51.100.0/24'] }),
  );
  assert.is(p.action, 'drop');
  assert.equal(p.ports, [25, 465], 'sorted and deduplicated like a config list');
  assert.equal(p.allow.map(formatPrefix), ['198.51.100.0/24']);
  assert.equal(p.wanDevices, ['pppoe-wan', 'wan6']);
  assert.equal(p.families, ['ipv4']);
});

test('relays are reduced to the minimal set, as in the config', () => {
  const { policy: p } = effectivePolicy(
    config,
    desired({ version: 6, allow: ['198.51.100.7', '198.51.100.0/24', '2001:db8::25'] }),
  );
  assert.equal(p.allow.map(formatPrefix), ['198.51.100.0/24', '2001:db8::25']);
});

test('an empty allow list means no relay at all', () => {
  assert.equal(effectivePolicy(config, desired({ version: 7, allow: [] })).policy.allow, []);
});

test('an empty ports list is refused, rather than meaning port 25 alone', () => {
  assert.is(inputError(() => desired({ version: 8, ports: [] })).code, 'invalid_list');
});

test('a /0 relay would switch the block off: refused in the desired state itself', () => {
  for (const relay of ['0.0.0.0/0', '::/0'])
    assert.is(inputError(() => desired({ version: 9, allow: [relay] })).code, 'invalid_address');
});

test('a config with defaults and an empty desired state', () => {
  const defaults = policy();
  const { policy: p } = effectivePolicy(defaults, desired({ version: 1 }));
  assert.equal(p, defaults);
});

test.run();
