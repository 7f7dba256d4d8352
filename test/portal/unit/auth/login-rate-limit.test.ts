import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LoginRateLimiter } from '../../../../portal/auth/login-rate-limit.ts';

function limiter(max = 3, windowMs = 60_000) {
  const clock = { t: 1_000_000 };
  return { clock, l: new LoginRateLimiter({ maxFailures: max, windowMs, now: () => clock.t }) };
}

test('allows up to max failures, then refuses until the window moves on', () => {
  const { clock, l } = limiter();
  const keys = ['user:alice', 'ip:127.0.0.1'];
  for (let i = 0; i < 3; i++) {
    assert.is(l.retryAfterS(keys), 0, `attempt ${i}`);
    l.fail(keys);
    clock.t += 1000;
  }
  const wait = l.retryAfterS(keys);
  assert.ok(wait > 0 && wait <= 60, String(wait));
  clock.t += wait * 1000;
  assert.is(l.retryAfterS(keys), 0);
});

test('an address hammering many names is limited by address alone', () => {
  const { l } = limiter();
  for (const name of ['a', 'b', 'c']) l.fail([`user:${name}`, 'ip:203.0.113.9']);
  assert.ok(l.retryAfterS(['user:d', 'ip:203.0.113.9']) > 0);
  assert.is(l.retryAfterS(['user:d', 'ip:203.0.113.10']), 0);
});

test('one name attacked from many addresses is limited by name', () => {
  const { l } = limiter();
  for (const ip of ['1', '2', '3']) l.fail(['user:alice', `ip:${ip}`]);
  assert.ok(l.retryAfterS(['user:alice', 'ip:4']) > 0);
});

test('success clears the name, not the address', () => {
  const { l } = limiter(2);
  l.fail(['user:alice', 'ip:x']);
  l.fail(['user:alice', 'ip:x']);
  l.succeed('user:alice');
  assert.is(l.retryAfterS(['user:alice']), 0);
  assert.ok(l.retryAfterS(['ip:x']) > 0);
});

test('memory is bounded by maxKeys', () => {
  const l = new LoginRateLimiter({ maxFailures: 1, windowMs: 60_000, maxKeys: 10 });
  for (let i = 0; i < 1000; i++) l.fail([`user:${i}`]);
  assert.is(l.retryAfterS(['user:0']), 0); // forgotten
  assert.ok(l.retryAfterS(['user:999']) > 0);
});

test.run();
