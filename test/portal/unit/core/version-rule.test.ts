import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clockFloor, nextVersion } from '../../../../portal/core/version-rule.ts';

const NOW = Date.UTC(2026, 11, 1, 22, 0);

test('a new router: the clock floor (milliseconds)', () => {
  assert.is(nextVersion(0, NOW, null), NOW);
  assert.is(clockFloor(NOW + 0.7), NOW);
});

test('never reuses: last + 1 when the portal is ahead of its clock', () => {
  assert.is(nextVersion(NOW + 5, NOW, null), NOW + 6);
});

test('a wiped database never goes back: the clock has moved on', () => {
  const before = nextVersion(0, NOW, null);
  assert.ok(nextVersion(0, NOW + 1000, null) > before);
});

test("above the router's reported version, even when its version is far ahead", () => {
  assert.is(nextVersion(0, NOW, NOW * 2), NOW * 2 + 1);
  assert.is(nextVersion(0, NOW, 8), NOW);
});

test('out of range versions are refused, not wrapped', () => {
  assert.throws(
    () => nextVersion(Number.MAX_SAFE_INTEGER, NOW, null),
    (e: unknown) => e instanceof RangeError,
  );
});

test.run();
