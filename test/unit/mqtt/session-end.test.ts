// The end of an MQTT session (agent/mqtt/session.ts): end() waits for PUBACKs in flight, end(true)
// kills at once, reconnect() opens a new link; each link reports exactly one close.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rig } from './session-rig.ts';

test('end(): waits for PUBACKs in flight, then DISCONNECT; pending callbacks fail after onClose', () => {
  const r = rig();
  r.client.connect();
  r.receive(r.connack);
  const order: string[] = [];
  r.client.publish('a', 'x', { qos: 1 }, (e) => order.push(`publish 1 ${e?.message ?? 'ok'}`));
  r.client.publish('a', 'y', { qos: 1 }, (e) => order.push(`publish 2 ${e?.message ?? 'ok'}`));
  r.client.end(false, () => order.push('ended'));
  assert.not.ok(r.client.connected, 'not connected once closing');
  r.client.publish('a', 'z', { qos: 1 }, (e) => order.push(`late ${e?.message}`));
  assert.equal(order, ['late client disconnecting']);
  assert.is(r.sent().length, 3, 'no DISCONNECT while a PUBACK is due');
  r.receive({ cmd: 'puback', messageId: 1 });
  assert.is(r.sent().length, 3);
  r.receive({ cmd: 'puback', messageId: 2 });
  assert.equal(
    r.sent().map((p) => p.cmd),
    ['connect', 'publish', 'publish', 'disconnect'],
  );
  assert.equal(r.link().calls, ['end']);
  r.link().events.onClose(null);
  assert.equal(
    r.closes.map((c) => [c.requested, c.error]),
    [[true, null]],
  );
  assert.equal(order.slice(1), ['publish 1 ok', 'publish 2 ok', 'ended']);

  // A connection lost with a publish and a subscribe waiting: both fail, after onClose.
  const l = rig();
  l.client.connect();
  l.receive(l.connack);
  l.client.publish('a', 'x', { qos: 1 }, (e) => l.log.push(`publish ${e?.message}`));
  l.client.subscribe('s', { qos: 1 }, (e) => l.log.push(`subscribe ${e?.message}`));
  l.link().events.onClose(null);
  assert.equal(l.log, ['close', 'publish connection closed', 'subscribe connection closed']);
  assert.equal([l.closes[0]!.error?.code, l.closes[0]!.error?.message], [
    'ECLOSED', 'the connection to mqtt://broker:1883 was closed',
  ]); // prettier-ignore
});

test('end(true) kills at once; reconnect() opens a new link; one onClose each', () => {
  const r = rig();
  r.client.connect();
  r.receive(r.connack);
  r.client.end(true);
  assert.equal(r.link().calls, ['destroy null']);
  r.client.reconnect(); // still open until the program exited: nothing
  assert.is(r.links.length, 1);
  r.link().events.onClose(null);
  r.client.reconnect();
  assert.is(r.links.length, 2);
  assert.is(r.sent()[0]!.cmd, 'connect');
  r.link().events.onClose(new Error('socat exited'));
  assert.equal(r.closes.map((c) => [c.requested, c.error?.message ?? null]), [
    [true, null],
    [false, 'socat exited'],
  ]); // prettier-ignore
});

test.run();
