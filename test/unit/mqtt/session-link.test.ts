// The MQTT session's link (agent/mqtt/session.ts): CONNECT and CONNACK, the keepalive and its
// timeout, the broker's DISCONNECT and malformed input, each ending in one reported close.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rig } from './session-rig.ts';

test('CONNECT in one write; CONNACK 0 connects; no CONNACK: connack timeout', () => {
  const r = rig();
  r.client.connect();
  assert.equal(
    r.sent().map((p) => [p.cmd, p.clientId, p.keepalive]),
    [['connect', 'r1', 10]],
  );
  r.receive(r.connack);
  assert.ok(r.client.connected);
  assert.not.ok(
    [...r.timers.values()].some((t) => t.ms === 15_000),
    'connack timer cleared',
  );

  const t = rig();
  t.client.connect();
  t.fire(15_000);
  assert.equal(t.link().calls, ['destroy connack timeout']);
  t.link().events.onClose(null);
  assert.equal(
    t.closes.map((c) => [c.connected, c.requested, c.error?.message]),
    [[false, false, 'connack timeout']],
  );
  t.link().events.onClose(null); // a second report: still one onClose
  assert.is(t.closes.length, 1);
});

test('CONNACK refusal: the return code (3.1.1) and the reason code (5) are the error', () => {
  for (const [version, code, text] of [
    [4, 5, 'Connection refused: Not authorized'],
    [5, 0x86, 'Connection refused: Bad User Name or Password'],
  ] as const) {
    const r = rig(version);
    r.client.connect();
    r.receive({ ...r.connack, returnCode: code, reasonCode: code });
    assert.not.ok(r.client.connected);
    assert.equal(r.link().calls, [`destroy ${text}`]);
    r.link().events.onClose(null);
    assert.equal([r.closes[0]!.error?.code, r.closes[0]!.connected], [code, false]);
  }
});

test('keepalive: a check every keepalive/2; PINGREQ after one; timeout after 1.5; PINGRESP resets', () => {
  const r = rig(4, 10);
  r.client.connect();
  r.receive(r.connack);
  r.fire(5000);
  assert.is(r.sent().length, 1, 'no PINGREQ after 5 s');
  r.fire(5000);
  assert.is(r.sent()[1]!.cmd, 'pingreq');
  r.receive({ cmd: 'pingresp' }); // rescheduled: two more checks before the next PINGREQ
  r.fire(5000);
  assert.is(r.sent().length, 2);
  r.fire(5000);
  assert.is(r.sent()[2]!.cmd, 'pingreq');
  r.fire(5000); // no PINGRESP this time
  assert.equal(r.link().calls, ['destroy Keepalive timeout']);
  r.link().events.onClose(null);
  assert.equal(
    r.closes.map((c) => [c.connected, c.error?.message]),
    [[true, 'Keepalive timeout']],
  );
  assert.is(r.timers.size, 0, 'no timer left');
});

test("MQTT 5: the broker's Server Keep Alive replaces the client's keepalive", () => {
  const r = rig(5, 60);
  r.client.connect();
  r.receive({ ...r.connack, properties: { serverKeepAlive: 4 } });
  r.fire(2000);
  r.fire(2000);
  assert.is(r.sent()[1]!.cmd, 'pingreq', 'PINGREQ after 4 s, not 60');
  r.fire(2000);
  assert.equal(r.link().calls, ['destroy Keepalive timeout']);
  // 0 turns keepalive off.
  const off = rig(5, 60);
  off.client.connect();
  off.receive({ ...off.connack, properties: { serverKeepAlive: 0 } });
  assert.is(off.timers.size, 0);
});

test('MQTT 5 DISCONNECT from the broker: its reason code is the close reason', () => {
  const r = rig(5);
  r.client.connect();
  r.receive(r.connack);
  r.receive({ cmd: 'disconnect', reasonCode: 0x8e });
  assert.equal(r.link().calls, ['end']);
  r.link().events.onClose(null);
  assert.equal(
    [r.closes[0]!.error?.code, r.closes[0]!.error?.message],
    [0x8e, 'the broker sent DISCONNECT (reason code 142)'],
  );
});

test('a malformed packet or one before CONNACK ends the connection; nothing is thrown', () => {
  const r = rig();
  r.client.connect();
  r.link().events.onData(Uint8Array.of(0x30, 3, 0, 1, 0x61));
  assert.equal(r.link().calls, ['destroy protocol error: publish before CONNACK']);
  const m = rig();
  m.client.connect();
  m.receive(m.connack);
  m.link().events.onData(Uint8Array.of(0x36, 3, 0, 1, 0x61));
  assert.equal(m.link().calls, ['destroy malformed PUBLISH: QoS 3']);
  m.link().events.onData(Uint8Array.of(0xd0, 0)); // after the error: ignored
  m.link().events.onClose(null);
  assert.equal(
    m.closes.map((c) => c.error?.code),
    ['EPROTOCOL'],
  );
});

test.run();
