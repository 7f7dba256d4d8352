import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateMessage } from '../../../../contract/validate.ts';
import {
  ContentError,
  nextDesiredFields,
  sameDesiredFields,
} from '../../../../portal/core/desired-content.ts';

test('disable keeps the other fields, enable switches back on', () => {
  const current = { enabled: true, allow: ['203.0.113.25'], ports: [25] };
  const off = nextDesiredFields('disable', current, true, undefined);
  assert.equal(off, { enabled: false, allow: ['203.0.113.25'], ports: [25] });
  assert.equal(nextDesiredFields('enable', off, false, undefined), current);
  assert.ok(validateMessage('desired', { version: 1, ...off }).valid);
});

test('without a previous desired state the base is what the router enforces', () => {
  assert.equal(nextDesiredFields('policy', null, false, { action: 'reject' }), {
    enabled: false,
    action: 'reject',
  });
  assert.equal(nextDesiredFields('disable', null, null, undefined), { enabled: false });
});

test('policy changes are canonical, as the agent compares them', () => {
  const fields = nextDesiredFields('policy', { enabled: true }, true, {
    allow: ['2001:db8:25::/48', '203.0.113.25', '203.0.113.25'],
    ports: [465, 25, 25],
  });
  assert.equal(fields.allow, ['203.0.113.25', '2001:db8:25::/48']);
  assert.equal(fields.ports, [25, 465]);
  assert.ok(sameDesiredFields(fields, { ports: [25, 465], allow: fields.allow!, enabled: true }));
  assert.not.ok(sameDesiredFields(fields, { ...fields, enabled: false }));
});

test('what a router would refuse is refused here, with the agent code', () => {
  const refused = (change: object) => {
    try {
      nextDesiredFields('policy', { enabled: true }, true, change);
      return null;
    } catch (error) {
      assert.instance(error, ContentError);
      return (error as ContentError).code;
    }
  };
  assert.is(refused({ allow: ['0.0.0.0/0'] }), 'invalid_address');
  assert.is(refused({ allow: ['203.0.113.1/24'] }), 'invalid_address');
  assert.is(refused({ ports: [0] }), 'invalid_port');
  assert.is(refused({ action: 'accept' }), 'invalid_action');
  assert.is(refused({}), 'empty_policy');
  assert.throws(
    () => nextDesiredFields('verify', null, true, undefined),
    (e: unknown) => e instanceof ContentError,
  );
});

test.run();
