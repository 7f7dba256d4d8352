import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasRole, parseRole } from '../../../../portal/auth/roles.ts';

test('roles are ordered viewer < operator < admin', () => {
  assert.ok(hasRole('viewer', 'viewer'));
  assert.not.ok(hasRole('viewer', 'operator'));
  assert.not.ok(hasRole('viewer', 'admin'));
  assert.ok(hasRole('operator', 'operator'));
  assert.not.ok(hasRole('operator', 'admin'));
  assert.ok(hasRole('admin', 'operator'));
});

test('parseRole accepts only the three names', () => {
  assert.is(parseRole('admin'), 'admin');
  for (const bad of ['Admin', 'root', '', null, 1, undefined]) assert.is(parseRole(bad), null);
});

test.run();
