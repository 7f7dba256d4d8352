// The notices the event relay sends between instances: every event once, each notice under
// PostgreSQL's payload limit, events too large for one notice sent as a reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FleetEvent } from '../../../../portal/core/fleet-event.ts';
import type { RolloutRecord } from '../../../../portal/core/rollout.ts';
import { MAX_PAYLOAD, packNotices } from '../../../../portal/service/event-relay.ts';

const FROM = '0b1c2d3e-0000-4000-8000-000000000000';
const routerEvents = (n: number): FleetEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'router', id: i.toString(16).padStart(12, '0') }));

test('many small events: split into notices under the limit, each event once, in order', () => {
  const events = routerEvents(1000);
  const notices = packNotices(FROM, events);
  assert.ok(notices.length > 1, String(notices.length));
  for (const n of notices) assert.ok(Buffer.byteLength(n) < MAX_PAYLOAD, String(n.length));
  const parsed = notices.map((n) => JSON.parse(n) as { from: string; events: FleetEvent[] });
  assert.ok(parsed.every((p) => p.from === FROM));
  assert.equal(
    parsed.flatMap((p) => p.events),
    events,
  );
});

test('no events: no notice', () => {
  assert.equal(packNotices(FROM, []), []);
});

test('a rollout too large for a notice goes as its id; a large reply as a router change', () => {
  const rollout = {
    id: 'ro-big',
    reason: 'x'.repeat(MAX_PAYLOAD),
  } as unknown as RolloutRecord;
  const reply = {
    type: 'reply',
    routerId: '0000000000aa',
    record: { note: 'y'.repeat(MAX_PAYLOAD) },
  } as unknown as FleetEvent;
  const notices = packNotices(FROM, [
    { type: 'router', id: '000000000001' },
    { type: 'rollout', rollout },
    reply,
  ]).map((n) => JSON.parse(n) as { events: FleetEvent[]; rollouts?: string[] });
  assert.equal(
    notices.flatMap((n) => n.events),
    [
      { type: 'router', id: '000000000001' },
      { type: 'router', id: '0000000000aa' },
    ],
  );
  assert.equal(
    notices.flatMap((n) => n.rollouts ?? []),
    ['ro-big'],
  );
});

test.run();
