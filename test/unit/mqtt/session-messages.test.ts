// The MQTT session's messages (agent/mqtt/session.ts): QoS 0 and 1 publishes and their PUBACKs,
// SUBSCRIBE and its grants, inbound QoS 1 acknowledged only after the handler ran.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { oracleEncode } from './codec-oracle.ts';
import { rig } from './session-rig.ts';

test('QoS 1 publish: callback on its PUBACK; QoS 0 at once; ids 1..65535 skip those in use', () => {
  const r = rig();
  r.client.connect();
  r.receive(r.connack);
  const done: string[] = [];
  r.client.publish('a/b', 'x', { qos: 1, retain: true }, (e) => done.push(`1 ${e ?? 'ok'}`));
  r.client.publish('a/b', new Uint8Array([1]), { qos: 0 }, (e) => done.push(`0 ${e ?? 'ok'}`));
  assert.equal(done, ['0 ok']);
  const [, first, second] = r.sent();
  assert.equal(
    [first!.messageId, first!.qos, first!.retain, String(first!.payload)],
    [1, 1, true, 'x'],
  );
  assert.equal([second!.qos, second!.messageId], [0, undefined]);
  r.receive({ cmd: 'puback', messageId: 7 }); // not ours: ignored
  r.receive({ cmd: 'puback', messageId: 1 });
  assert.equal(done, ['0 ok', '1 ok']);

  // id 2 stays in flight while the counter wraps: after 65535 comes 1, and 2 is skipped.
  r.client.publish('a/b', 'held', { qos: 1 }, () => {});
  for (let id = 3; id <= 0xffff; id++) {
    r.client.publish('a/b', '', { qos: 1 }, () => {});
    r.receive({ cmd: 'puback', messageId: id });
  }
  r.client.publish('a/b', '', { qos: 1 }, () => {});
  r.client.publish('a/b', '', { qos: 1 }, () => {});
  const ids = r
    .sent()
    .slice(-2)
    .map((p) => p.messageId);
  assert.equal(ids, [1, 3]);
});

test('a publish that cannot be encoded (topic over 65535 bytes) fails alone', () => {
  const r = rig();
  r.client.connect();
  r.receive(r.connack);
  let error: Error | undefined;
  r.client.publish('t'.repeat(70_000), 'x', { qos: 1 }, (e) => (error = e));
  assert.match(error?.message ?? '', /^cannot publish to t{100}: RangeError: field of 70000 bytes/);
  assert.is(r.sent().length, 1, 'nothing written');
  assert.ok(r.client.connected);
  r.client.publish('a', 'x', { qos: 1 }, () => {});
  assert.is(r.sent()[1]!.messageId, 2, 'the ids go on after the failed one');
});

test('MQTT 5 PUBACK with a failure reason code fails the publish with that code', () => {
  const r = rig(5);
  r.client.connect();
  r.receive(r.connack);
  let error: (Error & { code?: unknown }) | undefined;
  r.client.publish('a/b', 'x', { qos: 1 }, (e) => (error = e));
  r.receive({ cmd: 'puback', messageId: 1, reasonCode: 0x87 });
  assert.equal([error?.message, error?.code], ['Publish error: Not authorized', 0x87]);
});

test('SUBSCRIBE: granted QoS to the callback; a failure code is an error', () => {
  const r = rig();
  r.client.connect();
  r.receive(r.connack);
  const results: unknown[] = [];
  r.client.subscribe(['d', 'c'], { qos: 1 }, (e, granted) =>
    results.push([e?.message ?? null, granted]),
  );
  const sub = r.sent()[1]!;
  assert.equal(sub.subscriptions, [
    { topic: 'd', qos: 1 },
    { topic: 'c', qos: 1 },
  ]);
  r.receive({ cmd: 'suback', messageId: sub.messageId, granted: [1, 0x80] });
  assert.equal(results, [
    [
      'Subscribe error: Unspecified error',
      [
        { topic: 'd', qos: 1 },
        { topic: 'c', qos: 0x80 },
      ],
    ],
  ]);
});

test('inbound QoS 1: the PUBACK goes out after the handler ran; a throwing handler is reported', () => {
  let writesSeenByHandler = -1;
  const r = rig(4, 10, {
    onMessage: (topic, payload, packet, size) => {
      writesSeenByHandler = r.link().writes.length;
      assert.equal([topic, payload.length, packet.qos, size], ['t', 3, 1, 3]);
      throw new Error('handler broke');
    },
  });
  r.client.connect();
  r.receive(r.connack);
  // Two packets in one chunk, cut in 1-byte pieces: framing does not care.
  const bytes = new Uint8Array([
    ...oracleEncode({ cmd: 'publish', topic: 't', payload: Buffer.from('abc'), qos: 1, messageId: 9 }, 4),
    ...oracleEncode({ cmd: 'pingresp' }, 4),
  ]); // prettier-ignore
  for (let i = 0; i < bytes.length; i++) r.link().events.onData(bytes.subarray(i, i + 1));
  assert.is(writesSeenByHandler, 1, 'only CONNECT written when the handler ran');
  assert.equal(
    r
      .sent()
      .slice(1)
      .map((p) => [p.cmd, p.messageId]),
    [['puback', 9]],
  );
  assert.equal(r.log, ['error handler broke']);
  assert.ok(r.client.connected, 'a handler error does not cost the connection');
});

test.run();
