import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FirewallError } from '../../../agent/firewall/backend.ts';
import { InputError } from '../../../agent/input-error.ts';
import {
  commandReply,
  desiredReply,
  errorObject,
  stateMessage,
} from '../../../agent/remote/messages.ts';
import { DEFAULT_TOPIC_PREFIX, topicsFor } from '../../../contract/topics.ts';
import { AGENT_VERSION } from '../../../agent/version.ts';

const NOW = Date.UTC(2026, 10, 28, 6, 0, 0);

test('state: presence with the boot id and an ISO time', () => {
  assert.equal(stateMessage(true, '3f9c2a7b51d04e68', NOW), {
    online: true,
    boot: '3f9c2a7b51d04e68',
    agent_version: AGENT_VERSION,
    at: '2026-11-28T06:00:00.000Z',
  });
  assert.is(stateMessage(false, 'b', NOW).online, false);
});

test('desired replies: ok, ok with a note, refused', () => {
  assert.equal(desiredReply(3, null), { version: 3, ok: true });
  assert.equal(desiredReply(3, null, 'already applied'), {
    version: 3,
    ok: true,
    note: 'already applied',
  });
  const error = { code: 'stale_version', message: 'old' };
  assert.equal(desiredReply(null, error), { version: null, ok: false, error });
  assert.equal(Object.keys(desiredReply(3, null)), ['version', 'ok']);
});

test('command replies: ok, ok with a result, refused', () => {
  assert.equal(commandReply('c1', null), { id: 'c1', ok: true });
  assert.equal(commandReply('c1', null, { applied: true, drift: [] }), {
    id: 'c1',
    ok: true,
    result: { applied: true, drift: [] },
  });
  const error = { code: 'replayed', message: 'again' };
  assert.equal(commandReply(null, error), { id: null, ok: false, error });
});

test('errorObject: stable codes for every kind of failure', () => {
  assert.equal(errorObject(new InputError('bad_signature', 'no')), {
    code: 'bad_signature',
    message: 'no',
  });
  assert.equal(errorObject(new FirewallError('nft: exit 1')), {
    code: 'firewall_failed',
    message: 'nft: exit 1',
  });
  assert.equal(errorObject(new TypeError('x is undefined')), {
    code: 'internal',
    message: 'x is undefined',
  });
  assert.equal(errorObject('text'), { code: 'internal', message: 'text' });
  assert.equal(Object.keys(errorObject(new InputError('a', 'b'))), ['code', 'message']);
});

test('topics: one subtree per device under the prefix', () => {
  assert.is(DEFAULT_TOPIC_PREFIX, 'op25b/v1');
  assert.equal(topicsFor('op25b/v1', '00163e5a1b2c'), {
    state: 'op25b/v1/00163e5a1b2c/state',
    status: 'op25b/v1/00163e5a1b2c/status',
    desired: 'op25b/v1/00163e5a1b2c/desired',
    cmd: 'op25b/v1/00163e5a1b2c/cmd',
    reply: 'op25b/v1/00163e5a1b2c/reply',
  });
});

test.run();
