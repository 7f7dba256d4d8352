// Phase 3 of the fleet bench (build/bench-sim.ts): a staged disable rollout over every router
// (waves 1 %, 10 %, 100 %) through the portal's API: the time until every reply is in, each
// wave's time and each part's CPU, and for a sample of the last wave where its time went.
import type { ActionRecord } from '../portal/core/action.ts';
import type { RolloutRecord } from '../portal/core/rollout.ts';
import { simulatedDeviceId } from '../sim/profiles.ts';
import { poll } from './bench-sim-rig.ts';
import { cpuPart, s, usageOf, type FleetRig } from './bench-sim-figures.ts';

const ROLLOUT_WAVE_TIMEOUT_MS = 600_000;

export async function rolloutPhase(rig: FleetRig): Promise<void> {
  const { line, tag, routers, portal: p } = rig;
  const before = usageOf(rig);
  const t2 = Date.now();
  const started = await p.api<RolloutRecord>('POST', '/rollouts', {
    action: 'disable',
    target: { all: true },
    reason: 'bench: disable the whole fleet in waves',
    // Long enough that the figure is the time until every reply is in, not a halt.
    wave_timeout_ms: ROLLOUT_WAVE_TIMEOUT_MS,
  });
  const done = await poll(
    'the rollout over',
    async () => {
      const r = await p.api<RolloutRecord>('GET', `/rollouts/${started.id}`);
      return r.state === 'done' || r.state === 'halted' ? r : undefined;
    },
    900_000,
    250,
  );
  const rolloutMs = Date.now() - t2;
  const sum = (k: 'ok' | 'errors' | 'missing' | 'failed') =>
    done.waves.reduce((n, w) => n + w[k], 0);
  line(
    `fleet ${tag}: disable rollout, every reply in`,
    `${s(rolloutMs)} (${done.state}; waves ${done.waves.map((w) => w.size).join('/')}: ${sum('ok')} ok, ${sum('errors')} error, ${sum('missing')} missing, ${sum('failed')} failed)`,
  );
  const after = usageOf(rig);
  const waveS = done.waves.map((w) =>
    w.startedAt && w.finishedAt ? s(Date.parse(w.finishedAt) - Date.parse(w.startedAt)) : '-',
  );
  line(
    `fleet ${tag}: rollout waves; CPU broker/sim/portal${after.pg ? '/pg' : ''}`,
    `${waveS.join(' + ')}; ` +
      [
        cpuPart(before.broker, after.broker),
        cpuPart(before.sim, after.sim),
        cpuPart(before.portal, after.portal),
        ...(after.pg && before.pg ? [cpuPart(before.pg, after.pg)] : []),
      ].join(' / '),
  );
  // Where the last wave's time went: requests recorded (sent_at, just before each publish)
  // and replies received, for a sample of its routers.
  const last = done.waves[done.waves.length - 1]!;
  const lastStart = Date.parse(last.startedAt ?? done.createdAt);
  const sample = Array.from({ length: 50 }, (_, k) =>
    simulatedDeviceId(routers - last.size + Math.floor((k * last.size) / 50)),
  );
  const records = (
    await Promise.all(
      sample.map((id) => p.api<{ items: ActionRecord[] }>('GET', `/routers/${id}/actions?limit=1`)),
    )
  ).flatMap((h) => h.items.slice(0, 1));
  const sentMs = records.map((r) => Date.parse(r.sentAt) - lastStart).sort((a, b) => a - b);
  const lagMs = records
    .filter((r) => r.repliedAt)
    .map((r) => Date.parse(r.repliedAt!) - Date.parse(r.sentAt))
    .sort((a, b) => a - b);
  line(
    `fleet ${tag}: last wave, request recorded / reply lag`,
    `by ${s(sentMs[sentMs.length - 1] ?? NaN)} / median ${s(lagMs[lagMs.length >> 1] ?? NaN)}, max ${s(lagMs[lagMs.length - 1] ?? NaN)} (50 routers)`,
  );
}
