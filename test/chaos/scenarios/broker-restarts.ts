// The broker restarted again and again while the ISP changes the desired state: each change the
// broker acknowledged (PUBACK of the retained publish) must reach the router, whichever moment
// the restart hit, and at the end the kernel holds the last acknowledged desired state.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS } from '../../testbed/index.ts';
import { createRig, ROUTER, T, type Agent } from '../../integration-mqtt/rig.ts';
import { agentPart, waitForPart } from '../kernel.ts';
import { desiredOf, POLICIES } from '../policies.ts';
import { percentile } from '../report.ts';
import type { ScenarioContext } from '../scenario.ts';

const CATCH_UP_TIMEOUT_MS = 20_000;
const MAX_RESTART_DELAY_MS = 200;
const STUCK_AFTER = 3;

function storedVersion(agent: Agent): number | null {
  const path = join(agent.stateDir, 'desired.json');
  if (!existsSync(path)) return null;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: number }).version;
  } catch {
    return null;
  }
}

async function waitForVersion(
  agent: Agent,
  version: number,
  timeoutMs: number,
): Promise<number | null> {
  const started = performance.now();
  for (;;) {
    if ((storedVersion(agent) ?? -1) >= version) return performance.now() - started;
    if (performance.now() - started > timeoutMs) return null;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function brokerRestartScenario(context: ScenarioContext): Promise<void> {
  const { report, count } = context;
  const backend = BACKENDS.nftables;
  const rig = await createRig({ backend });
  const catchUp: number[] = [];
  let restarts = 0;
  let lost = 0;
  let lastAcked = 0;
  let behind = 0;
  let stuckAt: number | null = null;
  try {
    const agent = await rig.startAgent(
      rig.config(ROUTER, { mqtt: { reconnect_min: 1, reconnect_max: 2 } }),
    );
    // The kernel's text for each policy (applied once each, without restarts).
    const reference = new Map<number, string>();
    for (let v = 1; v <= POLICIES.length; v++) {
      await rig.isp.publish(T.desired, JSON.stringify(desiredOf(v)), { retain: true });
      if ((await waitForVersion(agent, v, 10_000)) === null)
        throw new Error(`desired ${v} not applied`);
      await new Promise((r) => setTimeout(r, 300)); // the apply follows the store
      reference.set(v % POLICIES.length, await agentPart(rig.bed, backend));
    }
    let version: number = POLICIES.length;
    for (let i = 0; i < count && performance.now() < context.deadline; i++) {
      const next = version + 1;
      const published = await rig.isp.publish(T.desired, JSON.stringify(desiredOf(next)), {
        retain: true,
      });
      if (!published.ok) throw new Error(`publish ${next}: ${JSON.stringify(published)}`);
      lastAcked = next;
      // Restart at a random moment: before, while or after the router gets the change.
      await new Promise((r) => setTimeout(r, Math.random() * MAX_RESTART_DELAY_MS));
      await rig.stopBroker();
      await rig.startBroker();
      restarts++;
      await rig.reconnectIsp();
      if (i % 50 === 49) context.progress(`broker-restarts: ${restarts} restarts, ${lost} lost`);
      const ms = await waitForVersion(agent, next, CATCH_UP_TIMEOUT_MS);
      version = next;
      if (ms !== null) {
        catchUp.push(ms);
        behind = 0;
        continue;
      }
      lost++;
      // A router that misses several changes in a row has stopped taking them: say so, stop.
      if (++behind === STUCK_AFTER) {
        stuckAt = restarts;
        break;
      }
    }
    const final = await waitForPart(
      rig.bed,
      backend,
      reference.get(lastAcked % POLICIES.length)!,
      10_000,
    );
    report.figure('broker-restarts.restarts', restarts);
    report.figure('broker-restarts.changes_acknowledged', restarts);
    report.figure('broker-restarts.lost_changes', lost);
    report.figure('broker-restarts.catch_up_p50_ms', percentile(catchUp, 50));
    report.figure('broker-restarts.catch_up_p99_ms', percentile(catchUp, 99));
    report.figure('broker-restarts.stored_version', storedVersion(agent) ?? 'none');
    report.figure('broker-restarts.last_acknowledged_version', lastAcked);
    if (stuckAt !== null) {
      report.figure('broker-restarts.stuck_after_restarts', stuckAt);
      const tail = agent.daemon.log().trim().split('\n').slice(-4);
      for (const line of tail) report.figure('broker-restarts.daemon_log', line.slice(0, 200));
    }
    report.check(
      'broker-restarts.no_lost_changes',
      lost === 0,
      `${lost} of ${restarts} changes never reached the router`,
    );
    report.check(
      'broker-restarts.final_kernel_is_last_acknowledged',
      final !== null && storedVersion(agent) === lastAcked,
      `stored ${storedVersion(agent)}, last acknowledged ${lastAcked}`,
    );
    report.check(
      'broker-restarts.completed_count',
      restarts === count,
      `${restarts} of ${count} (time bound)`,
    );
  } finally {
    await rig.destroy();
  }
}
