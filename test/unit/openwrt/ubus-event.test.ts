import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interfaceEvent, parseEventLine } from '../../../agent/openwrt/ubus-event.ts';

test('a line exactly as `ubus listen` prints it', () => {
  assert.equal(parseEventLine('{ "network.interface": {"action":"ifup","interface":"wan"} }'), {
    type: 'network.interface',
    data: { action: 'ifup', interface: 'wan' },
  });
  assert.equal(parseEventLine('{ "ubus.object.add": {"id":-1234,"path":"system"} }'), {
    type: 'ubus.object.add',
    data: { id: -1234, path: 'system' },
  });
});

test('anything else is not an event', () => {
  for (const line of [
    '',
    'Failed to connect to ubus',
    '{ "network.interface": {"action":"ifup"}',
    '[]',
    '{}',
    '{ "a": {}, "b": {} }',
    '{ "a": [] }',
    '{ "a": "ifup" }',
    '{ "a": null }',
    'null',
  ])
    assert.is(parseEventLine(line), null, line);
});

test('interface events: network.interface with string action and interface', () => {
  const event = parseEventLine('{ "network.interface": {"action":"ifdown","interface":"wan6"} }')!;
  assert.equal(interfaceEvent(event), { action: 'ifdown', interface: 'wan6' });
  assert.is(interfaceEvent({ type: 'network.device', data: { action: 'ifup' } }), null);
  assert.is(interfaceEvent({ type: 'network.interface', data: { action: 'ifup' } }), null);
  assert.is(
    interfaceEvent({ type: 'network.interface', data: { action: 1, interface: 'wan' } }),
    null,
  );
  assert.is(
    interfaceEvent({ type: 'network.interface', data: { action: 'ifup', interface: 'a\nb' } }),
    null,
  );
});

test.run();
