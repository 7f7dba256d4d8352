// Ingest lanes (portal/mqtt/ingest.ts): batches of different routers are handled side by side,
// a router's messages never are, and they reach the store in the order they came.
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { laneOf, startIngest, type RouterBatch } from '../../../../portal/mqtt/ingest.ts';
import { deviceId, statusDoc } from '../../support/documents.ts';

const PREFIX = 'op25b/v1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fakeClient(): MqttClient & EventEmitter {
  const client = new EventEmitter() as MqttClient & EventEmitter;
  (client as unknown as { subscribeAsync: () => Promise<unknown[]> }).subscribeAsync =
    async () => [];
  return client;
}

/** Feeds `rounds` statuses of each of `routers` routers at once, round by round; returns what ran. */
async function feed(lanes: number, routers: number, rounds: number) {
  const client = fakeClient();
  let running = 0;
  let heldOnce = false;
  let mostAtOnce = 0;
  const inFlight = new Set<string>();
  const overlaps: string[] = [];
  const order = new Map<string, number[]>();
  const ingest = await startIngest({
    client,
    prefix: PREFIX,
    maxPayloadBytes: 16384,
    maxBatch: 7,
    maxDelayMs: 5,
    lanes,
    log: () => {},
    handle: async (batch: RouterBatch) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      const ids = new Set(batch.statuses.map((m) => m.id));
      for (const id of ids) {
        if (inFlight.has(id)) overlaps.push(id);
        inFlight.add(id);
      }
      for (const m of batch.statuses)
        order.set(m.id, [...(order.get(m.id) ?? []), m.doc.counters.blocked_packets]);
      // The first batch with router 1 is slow, as a batch waiting for a lock would be: its lane
      // holds router 1's later messages back; the other lanes go on meanwhile.
      const slow = ids.has(deviceId(1)) && !heldOnce;
      if (slow) heldOnce = true;
      await sleep(slow ? 60 : 1);
      for (const id of ids) inFlight.delete(id);
      running--;
    },
  });
  const at = Date.UTC(2026, 11, 2, 12);
  for (let round = 0; round < rounds; round++) {
    for (let n = 1; n <= routers; n++) {
      const id = deviceId(n);
      const doc = statusDoc({ id, reportedAt: new Date(at + round).toISOString(), blocked: round });
      client.emit('message', `${PREFIX}/${id}/status`, Buffer.from(JSON.stringify(doc)));
    }
  }
  await ingest.stop();
  return { mostAtOnce, overlaps, order, stats: ingest.stats };
}

test('a router always has the same lane, and ids spread over the lanes', () => {
  const counts = [0, 0, 0, 0];
  for (let n = 1; n <= 4000; n++) {
    const lane = laneOf(deviceId(n), 4);
    assert.is(laneOf(deviceId(n), 4), lane);
    counts[lane]!++;
  }
  for (const c of counts) assert.ok(c > 700 && c < 1300, `lane sizes ${counts.join(', ')}`);
  assert.is(laneOf(deviceId(1), 1), 0);
});

test('lanes run side by side, never two batches of one router, each router in order', async () => {
  const { mostAtOnce, overlaps, order, stats } = await feed(3, 40, 12);
  assert.ok(mostAtOnce > 1, `at most ${mostAtOnce} batch at once with 3 lanes`);
  assert.equal(overlaps, [], 'a router was in two batches being handled at once');
  assert.is(stats.handled, 40 * 12);
  assert.is(order.size, 40);
  const rounds = Array.from({ length: 12 }, (_, i) => i);
  for (const [id, seen] of order) assert.equal(seen, rounds, `${id} stored out of order`);
});

test('one lane: one batch at a time, as before', async () => {
  const { mostAtOnce, order, stats } = await feed(1, 20, 5);
  assert.is(mostAtOnce, 1);
  assert.is(stats.handled, 100);
  for (const seen of order.values()) assert.equal(seen, [0, 1, 2, 3, 4]);
});

test.run();
