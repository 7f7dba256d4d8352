import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateMessage } from '../../../../contract/validate.ts';
import { applyState, type Presence } from '../../../../portal/core/presence.ts';
import { BOOT_A, BOOT_B, stateDoc } from '../../support/documents.ts';

const T1 = '2026-11-28T06:00:00.000Z';
const T2 = '2026-11-28T06:10:00.000Z';

function run(...docs: ReturnType<typeof stateDoc>[]): Presence | null {
  let presence: Presence | null = null;
  for (const doc of docs) presence = applyState(presence, doc) ?? presence;
  return presence;
}

test('the test documents are valid state documents', () => {
  assert.ok(validateMessage('state', stateDoc(true, BOOT_A, T1)).valid);
});

test('first document sets presence; online then the Will of the same run: offline', () => {
  assert.equal(run(stateDoc(true, BOOT_A, T1)), { online: true, boot: BOOT_A, at: T1 });
  assert.equal(run(stateDoc(true, BOOT_A, T1), stateDoc(false, BOOT_A, T1))?.online, false);
});

test('a fast reboot: old Will, then the new run: online', () => {
  const p = run(
    stateDoc(true, BOOT_A, T1),
    stateDoc(false, BOOT_A, T1),
    stateDoc(true, BOOT_B, T2),
  );
  assert.equal(p, { online: true, boot: BOOT_B, at: T2 });
});

test('a late Will of an old run never marks the live router offline', () => {
  const live = applyState(null, stateDoc(true, BOOT_B, T2));
  assert.is(applyState(live, stateDoc(false, BOOT_A, T1)), null);
  // even when the Will's time is later (the router's clock was wrong in the old run)
  assert.is(applyState(live, stateDoc(false, BOOT_A, '2027-01-01T00:00:00.000Z')), null);
});

test('a message taken twice changes nothing', () => {
  const online = applyState(null, stateDoc(true, BOOT_A, T1));
  assert.is(applyState(online, stateDoc(true, BOOT_A, T1)), null);
  const offline = applyState(online, stateDoc(false, BOOT_A, T1))!;
  assert.is(applyState(offline, stateDoc(false, BOOT_A, T1)), null);
  // the online document delivered again after its Will: still offline
  assert.is(applyState(offline, stateDoc(true, BOOT_A, T1)), null);
});

test('same run reconnecting after a broker outage: online again with a newer time', () => {
  const offline = run(stateDoc(true, BOOT_A, T1), stateDoc(false, BOOT_A, T1));
  const back = applyState(offline, stateDoc(true, BOOT_A, T2));
  assert.equal(back, { online: true, boot: BOOT_A, at: T2 });
  // the Will of the new connection (made when it connected, before its online document)
  assert.equal(applyState(back, stateDoc(false, BOOT_A, T1))?.online, false);
});

test('a clean stop of the present run: offline', () => {
  const live = applyState(null, stateDoc(true, BOOT_B, T1));
  assert.equal(applyState(live, stateDoc(false, BOOT_B, T2)), {
    online: false,
    boot: BOOT_B,
    at: T1,
  });
});

test.run();
