// The fuzz harness pairs replies with messages although `superseded` replies come early and
// echo nothing (test/chaos/reply-attribution.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { attributeReplies, type Attributable } from '../../chaos/reply-attribution.ts';

const desired = (...expect: string[]): Attributable => ({ kind: 'desired', expect });
const cmd = (...expect: string[]): Attributable => ({ kind: 'cmd', expect });

test('without superseded replies, replies pair with messages in order', () => {
  const items = [desired('invalid_action'), cmd('unknown_op')];
  const codes = ['invalid_action', 'unknown_op'];
  assert.equal(attributeReplies(items, codes, codes), codes);
});

test('an early superseded reply goes to the replaced desired state, the rest stay in order', () => {
  // cmd C is being handled when D2 arrives: D1 (waiting) is answered superseded before C's reply.
  const items = [cmd('unknown_op'), desired('invalid_action'), desired('invalid_port')];
  const codes = ['superseded', 'unknown_op', 'invalid_port'];
  assert.equal(attributeReplies(items, codes, codes), ['unknown_op', 'superseded', 'invalid_port']);
});

test('the pairing that fits the expected codes is chosen', () => {
  const items = [desired('invalid_list'), desired('invalid_version'), desired('stale_version')];
  const codes = ['superseded', 'invalid_list', 'stale_version'];
  assert.equal(attributeReplies(items, codes, codes), [
    'invalid_list',
    'superseded',
    'stale_version',
  ]);
});

test('the last desired state and commands are never taken as superseded', () => {
  assert.is(
    attributeReplies([cmd('ok'), desired('ok')], ['superseded', 'ok'], ['superseded', 'ok']),
    null,
  );
  assert.is(attributeReplies([desired('ok')], ['superseded'], ['superseded']), null);
});

test('missing replies cannot be attributed', () => {
  assert.is(attributeReplies([cmd('ok'), cmd('ok')], ['ok'], ['ok']), null);
});

test.run();
