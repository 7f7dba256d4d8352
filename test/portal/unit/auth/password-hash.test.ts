import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../../../portal/auth/password-hash.ts';

test('a hash verifies its password and no other', async () => {
  const hash = await hashPassword('correct horse battery');
  assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.ok(await verifyPassword('correct horse battery', hash));
  assert.not.ok(await verifyPassword('correct horse batterz', hash));
  assert.not.ok(await verifyPassword('', hash));
});

test('the same password hashes differently each time (salted)', async () => {
  const a = await hashPassword('same password 1');
  const b = await hashPassword('same password 1');
  assert.is.not(a, b);
});

test('malformed or hostile stored hashes verify nothing and do not throw', async () => {
  for (const stored of [
    '',
    'plain',
    'scrypt$1$2$3',
    'bcrypt$x$y$z$a$b',
    'scrypt$4194304$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAA',
    'scrypt$x$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAA',
  ])
    assert.not.ok(await verifyPassword('anything', stored), stored);
});

test('new passwords need 10 to 1024 characters', () => {
  assert.match(passwordProblem('short') ?? '', /at least 10/);
  assert.is(passwordProblem('long enough'), null);
  assert.match(passwordProblem('x'.repeat(1025)) ?? '', /at most 1024/);
});

test.run();
