// A misbehaving broker: a scripted TCP server on the broker's address plays each misbehaviour
// for a phase, against a fresh daemon. Enforcement must not change, reconnect delays must grow
// (full jitter, up to the cap) instead of storming, and the daemon's CPU and memory stay bounded.
import { BACKENDS, BROKER_ADDRESS, PLAIN_PORT } from '../../testbed/index.ts';
import { createRig, ROUTER, sleep, waitUntil } from '../../integration-mqtt/rig.ts';
import { BAD_BROKER_MODES, startBadBroker } from '../bad-broker.ts';
import { agentPart } from '../kernel.ts';
import { procStats } from '../proc-stats.ts';
import type { ScenarioContext } from '../scenario.ts';

const RECONNECT_MIN_S = 1;
const RECONNECT_CAP_S = 8;
/** Share of one core the daemon (with its transport children) may use against a bad broker. */
const CPU_SHARE_MAX = 0.25;
const PEAK_RSS_MAX_KB = 24 * 1024;

/** Attempts a backoff with this cap can make in `seconds`: the doubling steps, then ~cap/2 each. */
function attemptBound(seconds: number): number {
  return (
    Math.ceil(seconds / (RECONNECT_CAP_S / 4)) + Math.log2(RECONNECT_CAP_S / RECONNECT_MIN_S) + 3
  );
}

export async function badBrokerScenario(context: ScenarioContext): Promise<void> {
  const { report, options } = context;
  const backend = BACKENDS.nftables;
  const rig = await createRig({ backend });
  try {
    await rig.stopBroker();
    let reference: string | null = null;
    const unknown = options.modes.filter(
      (m) => !(BAD_BROKER_MODES as readonly string[]).includes(m),
    );
    if (unknown.length)
      throw new Error(`unknown --modes ${unknown.join(',')}; known: ${BAD_BROKER_MODES.join(',')}`);
    const modes = BAD_BROKER_MODES.filter(
      (m) => options.modes.length === 0 || options.modes.includes(m),
    );
    for (const mode of modes) {
      if (performance.now() + options.phaseSeconds * 1000 > context.deadline) {
        report.check(`bad-broker.${mode}.ran`, false, 'skipped: time bound');
        continue;
      }
      const server = await startBadBroker(rig.bed.ns.wan, BROKER_ADDRESS.ipv4, PLAIN_PORT, mode);
      const agent = await rig.startAgent(
        rig.config(ROUTER, {
          mqtt: {
            broker: `mqtt://${BROKER_ADDRESS.ipv4}:${PLAIN_PORT}`,
            protocol: '3.1.1',
            ca_file: undefined,
            cert_file: undefined,
            key_file: undefined,
            reconnect_min: RECONNECT_MIN_S,
            reconnect_max: RECONNECT_CAP_S,
          },
        }),
        { waitConnected: false },
      );
      try {
        // The config's policy is enforced at start, before any broker is reached.
        const applied = await waitUntil('the agent rules', async () => {
          const part = await agentPart(rig.bed, backend);
          return part === '' ? undefined : part;
        });
        reference ??= applied;
        const startCpu = procStats(agent.daemon.pid)?.cpuMs ?? 0;
        const started = performance.now();
        let unchanged = true;
        const samples = 3;
        for (let s = 0; s < samples; s++) {
          await sleep((options.phaseSeconds * 1000) / samples);
          if ((await agentPart(rig.bed, backend)) !== reference) unchanged = false;
        }
        const elapsed = performance.now() - started;
        const stats = procStats(agent.daemon.pid);
        const delays = [...agent.daemon.log().matchAll(/reconnecting in (\d+) ms/g)].map((m) =>
          Number(m[1]),
        );
        const gaps = server.accepts.slice(1).map((t, i) => t - server.accepts[i]!);
        const cpuShare = ((stats?.cpuMs ?? startCpu) - startCpu) / elapsed;
        const p = `bad-broker.${mode}`;
        report.figure(`${p}.connections`, server.accepts.length);
        report.figure(`${p}.max_gap_ms`, gaps.length ? Math.max(...gaps) : 0);
        report.figure(`${p}.delays_ms`, delays.join(',') || 'none');
        report.figure(`${p}.cpu_share`, cpuShare.toFixed(3));
        report.figure(`${p}.peak_rss_kb`, stats?.peakRssKb ?? -1);
        report.check(`${p}.daemon_alive`, agent.daemon.running());
        report.check(
          `${p}.enforcement_unchanged`,
          unchanged && reference !== '',
          reference === '' ? 'no rules applied' : '',
        );
        const bound = attemptBound(options.phaseSeconds);
        report.check(
          `${p}.no_storm`,
          server.accepts.length <= bound,
          `${server.accepts.length} connections in ${options.phaseSeconds} s, at most ${bound}`,
        );
        // Any delay above the first ceiling proves growth; after a reset-at-CONNACK bug none is.
        // With 4 delays drawn under ceilings 2, 4, 8, 8 s all stay below 1 s in 1 of 512 runs.
        if (delays.length >= 5)
          report.check(
            `${p}.backoff_grows`,
            Math.max(...delays.slice(1)) > RECONNECT_MIN_S * 1000,
            `delays after the first ${delays.slice(1).join(',')} ms`,
          );
        report.check(
          `${p}.delays_within_cap`,
          delays.every((d) => d <= RECONNECT_CAP_S * 1000),
        );
        report.check(
          `${p}.cpu_bounded`,
          cpuShare <= CPU_SHARE_MAX,
          `${(cpuShare * 100).toFixed(1)} % of a core`,
        );
        report.check(
          `${p}.rss_bounded`,
          (stats?.peakRssKb ?? 0) <= PEAK_RSS_MAX_KB,
          `peak ${stats?.peakRssKb} kB`,
        );
      } finally {
        await agent.daemon.kill();
        await server.stop();
      }
    }
  } finally {
    await rig.destroy();
  }
}
