// Which version of a rollout the pages show when the snapshot and the event stream disagree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RolloutRecord } from '../../../../portal/core/rollout.ts';
import {
  newestRollout,
  rememberRollout,
  withRollouts,
} from '../../../../portal/web/newest-rollout.ts';

const rollout = (id: string, state: RolloutRecord['state'], second: number): RolloutRecord => ({
  id,
  action: 'verify',
  reason: 'check the rules',
  operator: 'operator1',
  policy: null,
  state,
  haltReason: null,
  total: 1,
  currentWave: 0,
  waves: [],
  maxErrorShare: 0.05,
  maxMissingShare: 0.1,
  waveTimeoutMs: 600_000,
  createdAt: '2026-12-02T10:00:00.000Z',
  updatedAt: `2026-12-02T10:00:${String(second).padStart(2, '0')}.000Z`,
});

test('newestRollout: the later change wins whichever came last; a tie takes the incoming', () => {
  const running = rollout('ro-1', 'running', 1);
  const paused = rollout('ro-1', 'paused', 2);
  assert.is(newestRollout(running, paused), paused);
  assert.is(newestRollout(paused, running), paused, 'an older answer does not undo an event');
  const again = rollout('ro-1', 'paused', 2);
  assert.is(newestRollout(paused, again), again);
  assert.is(newestRollout(undefined, running), running);
  assert.is(newestRollout(running, undefined), running);
  assert.is(newestRollout(undefined, undefined), undefined);
});

test('rememberRollout: one entry per rollout, in arrival order, each its newest version', () => {
  const a1 = rollout('ro-a', 'running', 1);
  const b1 = rollout('ro-b', 'running', 2);
  const a3 = rollout('ro-a', 'paused', 3);
  let seen = rememberRollout([], a1);
  seen = rememberRollout(seen, b1);
  seen = rememberRollout(seen, a3);
  seen = rememberRollout(seen, a1);
  assert.equal(seen, [a3, b1]);
});

test('withRollouts: known ones updated in place, new ones in front, last arrived first', () => {
  const old = rollout('ro-old', 'done', 1);
  const listed = rollout('ro-x', 'running', 2);
  const staleEvent = rollout('ro-x', 'running', 1);
  const n1 = rollout('ro-n1', 'running', 5);
  const n2 = rollout('ro-n2', 'running', 6);
  assert.equal(withRollouts([listed, old], [staleEvent, n1, n2]), [n2, n1, listed, old]);
  const paused = rollout('ro-x', 'paused', 3);
  assert.equal(withRollouts([listed, old], [paused]), [paused, old]);
  assert.equal(withRollouts([listed], []), [listed]);
});

test.run();
