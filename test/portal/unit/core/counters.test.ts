import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateMessage } from '../../../../contract/validate.ts';
import {
  basisOf,
  hourOf,
  statusEffect,
  type StatusEffect,
} from '../../../../portal/core/counters.ts';
import { BOOT_B, statusDoc } from '../../support/documents.ts';

const ID = '00163e5a1b2c';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 6, minute)).toISOString();
const first = statusDoc({
  id: ID,
  reportedAt: at(0),
  blocked: 10,
  sources: [{ address: '198.51.100.23', attempts: 10 }],
});

function delta(effect: StatusEffect): number {
  if (effect.duplicate) throw new Error('unexpected duplicate');
  return effect.blockedDelta;
}

test('the test documents are valid status documents', () => {
  assert.ok(validateMessage('status', first).valid, validateMessage('status', first).errors.join());
});

test('the first status counts everything it reports', () => {
  const effect = statusEffect(null, first);
  assert.is(delta(effect), 10);
  assert.equal(!effect.duplicate && effect.sourceDeltas, [
    { address: '198.51.100.23', attempts: 10 },
  ]);
});

test('growing counters: the difference; per source too', () => {
  const next = statusDoc({
    id: ID,
    reportedAt: at(5),
    blocked: 25,
    sources: [
      { address: '198.51.100.23', attempts: 22 },
      { address: '198.51.100.24', attempts: 3 },
    ],
  });
  const effect = statusEffect(basisOf(first), next);
  assert.is(delta(effect), 15);
  assert.equal(!effect.duplicate && effect.reset, false);
  assert.equal(!effect.duplicate && effect.sourceDeltas, [
    { address: '198.51.100.23', attempts: 12 },
    { address: '198.51.100.24', attempts: 3 },
  ]);
});

test('a drop is a reset, not a negative count', () => {
  const effect = statusEffect(basisOf(first), statusDoc({ id: ID, reportedAt: at(5), blocked: 4 }));
  assert.is(delta(effect), 4);
  assert.ok(!effect.duplicate && effect.reset);
});

test('a new boot, a new policy version or a repair restart the counters', () => {
  const base = basisOf(first);
  for (const doc of [
    statusDoc({ id: ID, reportedAt: at(5), blocked: 12, boot: BOOT_B }),
    statusDoc({ id: ID, reportedAt: at(5), blocked: 12, version: 7 }),
    statusDoc({ id: ID, reportedAt: at(5), blocked: 12, repairs: 1 }),
  ]) {
    const effect = statusEffect(base, doc);
    assert.is(delta(effect), 12, 'counts all 12 since the restart, not 12 - 10');
  }
});

test('the same status taken twice, or an older one of the same run, adds nothing', () => {
  assert.ok(statusEffect(basisOf(first), first).duplicate);
  const later = statusDoc({ id: ID, reportedAt: at(5), blocked: 20 });
  assert.ok(statusEffect(basisOf(later), first).duplicate);
  // another run's status is never a duplicate, whatever its time
  assert.not.ok(
    statusEffect(basisOf(later), statusDoc({ id: ID, reportedAt: at(0), boot: BOOT_B })).duplicate,
  );
});

test('deltas are counted in the portal clock hour', () => {
  assert.is(
    hourOf(Date.UTC(2026, 10, 28, 6, 59, 59, 999)).toISOString(),
    '2026-11-28T06:00:00.000Z',
  );
  assert.is(hourOf(Date.UTC(2026, 10, 28, 7)).toISOString(), '2026-11-28T07:00:00.000Z');
});

test.run();
