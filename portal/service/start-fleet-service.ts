// Wires the store, ingest, publisher, control and rollout runner into one FleetService, with the
// periodic work: reply timeouts (every second), rollout ticks (every 500 ms), re-signing of
// retained desired states (every minute), the stored 24 h windows as each hour turns; change
// events relayed to the other instances.
import type { MqttClient } from 'mqtt';
import { topicsFor } from '../../contract/topics.ts';
import type { ActionRecord } from '../core/action.ts';
import type { FleetEvent } from '../core/fleet-event.ts';
import { act, COMMAND_TTL_S, type ActDeps } from '../control/act.ts';
import { resignDue } from '../control/resign.ts';
import {
  controlRollout,
  runRollouts,
  startRollout,
  type RolloutDeps,
} from '../control/rollout-runner.ts';
import { untilNextHour } from '../core/blocked-window.ts';
import { connectBroker } from '../mqtt/connect-broker.ts';
import { startIngest, type Ingest, type RouterBatch } from '../mqtt/ingest.ts';
import { mqttPublisher } from '../mqtt/publisher.ts';
import {
  actionHistory,
  expireRequests,
  markSent,
  pendingCommands,
  recordReplies,
} from '../store/action-store.ts';
import {
  blockedHistory,
  listRouters,
  routerDetail,
  topBlocked,
  type QueryClock,
} from '../store/fleet-queries.ts';
import { fleetSummary } from '../store/fleet-summary.ts';
import { blockedSeries } from '../store/blocked-series.ts';
import { refreshWindows } from '../store/blocked-window-store.ts';
import { bootHistory } from '../store/boot-history.ts';
import { vacuumKeeper } from '../store/pglite-vacuum.ts';
import { ingestBatch } from '../store/router-ingest.ts';
import { getRollout, listRollouts, rolloutActions } from '../store/rollout-store.ts';
import { refreshStatistics } from '../store/statistics.ts';
import { startEventRelay } from './event-relay.ts';
import type { FleetServiceDeps, RunningFleetService } from './fleet-service.ts';

const INGEST_LANES_POSTGRES = 4;

export interface ServiceTimers {
  readonly timeoutSweepMs: number;
  readonly rolloutTickMs: number;
  readonly resignEveryMs: number;
  /** Planner statistics (PGlite has no autovacuum to keep them). */
  readonly statisticsEveryMs: number;
  /** How long after each hour turns the stored 24 h windows are moved on. */
  readonly windowsAfterHourMs: number;
}

const TIMERS: ServiceTimers = {
  timeoutSweepMs: 1000,
  rolloutTickMs: 500,
  resignEveryMs: 60_000,
  statisticsEveryMs: 300_000,
  windowsAfterHourMs: 1000,
};

export async function startFleetService(
  deps: FleetServiceDeps & {
    readonly timers?: Partial<ServiceTimers>;
    readonly client?: MqttClient;
  },
): Promise<RunningFleetService & { readonly ingest: Ingest }> {
  const { db, config, log } = deps;
  const timers = { ...TIMERS, ...deps.timers };
  const listeners = new Set<(e: FleetEvent) => void>();
  const deliver = (e: FleetEvent) => {
    for (const l of listeners) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own
      }
    }
  };
  // Other instances' events reach this one's listeners, and this one's reach theirs.
  const relay = await startEventRelay({
    db,
    deliver,
    loadRollout: async (id) => (await getRollout(db, id))?.record ?? null,
    log,
  });
  const emit = (e: FleetEvent) => {
    deliver(e);
    relay.send(e);
  };
  const emitReplies = (records: readonly ActionRecord[]) => {
    for (const record of records) emit({ type: 'reply', routerId: record.routerId, record });
  };
  const clock = (): QueryClock => ({
    nowMs: Date.now(),
    notReportingAfterMs: 2 * config.reportIntervalS * 1000,
  });
  const client = deps.client ?? (await connectBroker(config.mqtt));
  client.on('error', (error) => log(`mqtt: ${error.message}`));
  const publisher = mqttPublisher(client);
  const actDeps: ActDeps = {
    db,
    signer: deps.signer,
    publisher,
    audit: deps.audit,
    prefix: config.topicPrefix,
    desiredTtlS: config.desiredTtlS ?? 30 * 86400,
    clock,
  };
  const rolloutDeps: RolloutDeps = {
    ...actDeps,
    defaultWaveTimeoutMs: config.replyTimeoutMs,
    emit: (rollout) => emit({ type: 'rollout', rollout }),
    log,
  };

  /** Commands kept while a router was offline: signed afresh and sent now that it is back. */
  const sendPending = async (ids: readonly string[]) => {
    const pending = await pendingCommands(db, ids);
    const sent: number[] = [];
    const iat = Math.floor(Date.now() / 1000);
    for (const p of pending) {
      try {
        const token = await deps.signer.sign({
          ...p.content,
          sub: p.routerId,
          iat,
          exp: iat + COMMAND_TTL_S,
        });
        await publisher.publish(topicsFor(config.topicPrefix, p.routerId).cmd, token, false);
        sent.push(p.id);
      } catch (error) {
        log(`pending command ${p.commandId} to ${p.routerId}: ${(error as Error).message}`);
      }
    }
    await markSent(db, sent, Date.now());
  };

  const vacuum = vacuumKeeper(db);
  const handle = async (batch: RouterBatch) => {
    const outcome = await ingestBatch(db, batch);
    emitReplies(await recordReplies(db, batch.replies));
    for (const id of outcome.changed) emit({ type: 'router', id });
    if (outcome.cameOnline.length) await sendPending(outcome.cameOnline);
    // Between batches (PGlite only): the batch is stored, so a failure here is only logged.
    await vacuum
      .after(outcome.written)
      .catch((error: unknown) => log(`vacuum: ${(error as Error).message}`));
  };
  const ingest = await startIngest({
    client,
    prefix: config.topicPrefix,
    ...(config.mqtt.shareGroup !== undefined && { shareGroup: config.mqtt.shareGroup }),
    maxPayloadBytes: config.maxPayloadBytes,
    handle,
    log,
    // PostgreSQL: batches side by side on connections of their own (half the pool: the API keeps
    // the rest). PGlite has one connection: a second lane would only wait for it.
    lanes: db.kind === 'postgres' ? INGEST_LANES_POSTGRES : 1,
  });

  // Periodic work; each kind never overlaps itself, and a failure is logged, not thrown.
  const intervals: NodeJS.Timeout[] = [];
  const busy = new Map<string, Promise<unknown>>();
  const run = (what: string, fn: () => Promise<unknown>) => {
    if (busy.has(what)) return;
    busy.set(
      what,
      fn()
        .catch((error: unknown) => log(`${what}: ${(error as Error).message}`))
        .finally(() => busy.delete(what)),
    );
  };
  const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
    intervals.push(setInterval(() => run(what, fn), ms));
  };
  // Each hour turn makes every router with blocked packets stale at once: moved on here, so the
  // first fleet list of the hour does not wait for it (fleet-queries.ts would do it otherwise).
  let stopped = false;
  let hourTimer: NodeJS.Timeout | undefined;
  const atEachHour = () => {
    hourTimer = setTimeout(
      () => {
        if (stopped) return;
        run('blocked windows', () => refreshWindows(db, Date.now()));
        atEachHour();
      },
      untilNextHour(Date.now(), timers.windowsAfterHourMs),
    );
  };
  atEachHour();
  every(timers.timeoutSweepMs, 'reply timeouts', async () =>
    emitReplies(await expireRequests(db, Date.now(), config.replyTimeoutMs)),
  );
  every(timers.rolloutTickMs, 'rollouts', () => runRollouts(rolloutDeps));
  every(timers.resignEveryMs, 're-signing', () => resignDue(actDeps, config.resignBeforeS));
  if (db.kind === 'pglite') {
    await refreshStatistics(db);
    every(timers.statisticsEveryMs, 'statistics', () => refreshStatistics(db));
  }

  return {
    ingest,
    listRouters: (q) => listRouters(db, q, clock()),
    summary: () => fleetSummary(db, clock()),
    getRouter: (id) => routerDetail(db, id, clock()),
    blockedHistory: (id, hours) => blockedHistory(db, id, hours, Date.now()),
    blockedSeries: (ids, hours) => blockedSeries(db, ids, hours, Date.now()),
    topBlocked: (hours, limit) => topBlocked(db, hours, limit, Date.now()),
    bootHistory: (id, limit, offset) => bootHistory(db, id, limit, offset),
    actionHistory: (id, limit) => actionHistory(db, id, limit),
    act: (req, by) => act(actDeps, req, by),
    startRollout: (req, by) => startRollout(rolloutDeps, req, by),
    listRollouts: async () => (await listRollouts(db)).map((r) => r.record),
    getRollout: async (id) => (await getRollout(db, id))?.record ?? null,
    rolloutActions: (id, q) => rolloutActions(db, id, q),
    controlRollout: (id, verb, by, reason) => controlRollout(rolloutDeps, id, verb, by, reason),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      stopped = true;
      clearTimeout(hourTimer);
      for (const timer of intervals) clearInterval(timer);
      await Promise.all(busy.values());
      await ingest.stop();
      await relay.stop();
      if (!deps.client) await client.endAsync();
    },
  };
}
