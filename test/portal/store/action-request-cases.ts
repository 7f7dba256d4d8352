// Store cases of requests and replies: a reply settles its request by version, by command id or
// as the oldest open one, a reply taken twice is harmless, and silence times out. Run by
// store-suite.ts on PGlite and PostgreSQL 15.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  expireRequests,
  recordReplies,
  recordRequests,
  actionHistory,
  type SentRequest,
} from '../../../portal/store/action-store.ts';
import { recordDesired } from '../../../portal/store/desired-store.ts';
import type { Db } from '../../../portal/store/db.ts';
import { routerDetail } from '../../../portal/store/fleet-queries.ts';
import { ingestBatch } from '../../../portal/store/router-ingest.ts';
import { deviceId, statusDoc } from '../support/documents.ts';
import { batch } from './ingest-batch.ts';

export function actionRequestCases(test: Test<{ db: Db }>, now: number): void {
  const clock = { nowMs: now, notReportingAfterMs: 600_000 };

  function desiredRequest(
    routerId: string,
    version: number,
    extra: Partial<SentRequest> = {},
  ): SentRequest {
    return {
      routerId,
      kind: 'desired',
      action: 'disable',
      version,
      commandId: null,
      content: { version, enabled: false },
      operator: 'alice',
      reason: 'test',
      rolloutId: null,
      wave: null,
      status: 'sent',
      token: 'x.y.z',
      expMs: now + 86_400_000,
      ...extra,
    };
  }

  test('requests and replies: by version, by id, to the oldest open; twice is harmless; timeouts', async ({
    db,
  }) => {
    const id = deviceId(300);
    await ingestBatch(db, batch({ statuses: [{ id, doc: statusDoc({ id }), receivedAtMs: now }] }));
    const [d1, c1, d2] = await recordRequests(db, [
      desiredRequest(id, 11),
      {
        ...desiredRequest(id, null as unknown as number),
        kind: 'command',
        action: 'verify',
        commandId: 'verify-1',
        content: { id: 'verify-1', op: 'verify' },
      },
      desiredRequest(id, 12),
    ]);
    assert.ok(d1! > 0 && c1! > d1! && d2! > c1!);
    await recordDesired(db, [desiredRequest(id, 12), desiredRequest(id, 11)]);
    const detail = (await routerDetail(db, id, clock))!;
    assert.is(detail.desiredVersion, 12, 'the older one does not overwrite the newer');
    const settled = await recordReplies(db, [
      { id, doc: { version: 11, ok: true }, receivedAtMs: now },
      { id, doc: { version: 11, ok: true }, receivedAtMs: now + 1 },
      {
        id,
        doc: { id: 'verify-1', ok: true, result: { applied: true, drift: [] } },
        receivedAtMs: now,
      },
    ]);
    assert.equal(
      settled.map((s) => [s.id, s.status]),
      [
        [d1, 'ok'],
        [c1, 'ok'],
      ],
    );
    const expired = await expireRequests(db, Date.now() + 10_000, 5_000);
    assert.equal(
      expired.map((e) => [e.id, e.status]),
      [[d2, 'no reply']],
    );
    const late = await recordReplies(db, [
      {
        id,
        doc: { version: null, ok: false, error: { code: 'bad_signature', message: 'no' } },
        receivedAtMs: now,
      },
    ]);
    assert.equal(
      late.map((s) => [s.id, s.status]),
      [[d2, 'error']],
      'a late reply without version settles the oldest open',
    );
    const history = await actionHistory(db, id, 10);
    assert.equal(
      history.map((h) => h.id),
      [d2, c1, d1],
    );
    assert.is(
      history[1]!.reply && 'result' in history[1]!.reply && history[1]!.reply.result?.applied,
      true,
    );
  });
}
