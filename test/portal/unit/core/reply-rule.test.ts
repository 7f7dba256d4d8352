import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateMessage } from '../../../../contract/validate.ts';
import { replyKey, replyStatus, timedOutStatus } from '../../../../portal/core/reply-rule.ts';

test('replies are matched by version, by id, or to the oldest open request', () => {
  const replies = [
    { version: 8, ok: true },
    { version: 8, ok: true, note: 'already applied' },
    { id: 'c42', ok: true, result: { applied: true, drift: [] } },
    { id: null, ok: false, error: { code: 'bad_signature', message: 'no' } },
    { version: null, ok: false, error: { code: 'malformed_token', message: 'no' } },
  ];
  for (const r of replies) assert.ok(validateMessage('reply', r).valid, JSON.stringify(r));
  assert.equal(replies.map(replyKey), [
    { by: 'version', version: 8 },
    { by: 'version', version: 8 },
    { by: 'id', id: 'c42' },
    { by: 'oldest-open' },
    { by: 'oldest-open' },
  ]);
  assert.equal(replies.map(replyStatus), ['ok', 'ok', 'ok', 'error', 'error']);
});

test('no reply after the timeout; an offline router stays pending', () => {
  assert.is(timedOutStatus('sent', 0, 999, 1000), 'sent');
  assert.is(timedOutStatus('sent', 0, 1000, 1000), 'no reply');
  assert.is(timedOutStatus('pending: router offline', 0, 1e9, 1000), 'pending: router offline');
  assert.is(timedOutStatus('ok', 0, 1e9, 1000), 'ok');
});

test.run();
