// The one-shot CLI commands. Each returns an exit code and writes its own output.
import { cutBlockedFlows } from '../firewall/conntrack/cut-flows.ts';
import { loadBackend, removeEverywhere } from '../firewall/load-backend.ts';
import { openWrtView } from '../openwrt/cli-view.ts';
import { formatPrefix } from '../policy/address.ts';
import type { EffectivePolicy } from '../policy/effective-policy.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { addWanDevices, readLiveStatus } from '../daemon/run-files.ts';
import { statusReport } from '../status/status-report.ts';
import type { AgentContext } from './agent-context.ts';
import { EXIT_DRIFT, EXIT_OK } from './exit-codes.ts';

export function describe({ policy, source, version }: EffectivePolicy): string {
  const origin = source === 'remote' ? `ISP desired state v${version}` : 'config';
  if (!policy.enabled) return `block off (${origin})`;
  const wan = policy.wanDevices.length ? policy.wanDevices.join(',') : 'every device but lo';
  const allow = policy.allow.length ? policy.allow.map(formatPrefix).join(',') : 'none';
  return (
    `block on (${origin}): ${policy.action} tcp port ${policy.ports.join(',')} ` +
    `(${policy.families.join('+')}) leaving ${wan}; relays allowed: ${allow}`
  );
}

export async function applyCommand(
  runtime: Runtime,
  context: AgentContext,
  force = false,
): Promise<number> {
  // First an await: what throws after it rejects a promise that already has its handler.
  const { effective, wanDevices } = await openWrtView(runtime, context);
  const { backend, decision } = await loadBackend(runtime, context.config.firewall);
  const { policy } = effective;
  // First into the daemon's list: its check after our rules change must find them expected.
  try {
    addWanDevices(runtime, context.config.agent.runDir, wanDevices);
  } catch (error) {
    runtime.writeStderr(`op25b: warning: cannot update the WAN device list: ${String(error)}\n`);
  }
  const { changed } = await backend.apply(policy, { force });
  const state = changed ? 'applied' : 'already in place';
  runtime.writeStdout(`${state} (${decision.name}): ${describe(effective)}\n`);
  if (changed && policy.enabled) {
    const cut = await cutBlockedFlows(runtime, policy);
    if (cut.destinations.length)
      runtime.writeStdout(`cut open connections to ${cut.destinations.join(', ')}\n`);
    else if (cut.skipped)
      runtime.writeStderr(`op25b: note: open connections not cut: ${cut.skipped}\n`);
  }
  return EXIT_OK;
}

export async function verifyCommand(runtime: Runtime, context: AgentContext): Promise<number> {
  const { effective } = await openWrtView(runtime, context);
  const { backend, decision } = await loadBackend(runtime, context.config.firewall);
  const drift = await backend.verify(effective.policy);
  if (drift.length === 0) {
    runtime.writeStdout(`ok (${decision.name}): kernel matches policy, ${describe(effective)}\n`);
    return EXIT_OK;
  }
  runtime.writeStdout(drift.map((d) => `drift (${decision.name}): ${d}\n`).join(''));
  return EXIT_DRIFT;
}

export async function removeCommand(runtime: Runtime): Promise<number> {
  await removeEverywhere(runtime);
  runtime.writeStdout('removed: no op25b rules remain on any backend\n');
  return EXIT_OK;
}

export async function statusCommand(runtime: Runtime, context: AgentContext): Promise<number> {
  // A running daemon knows more (MQTT, repairs, the ISP's version): show its live status.
  const live = readLiveStatus(runtime, context.config.agent.runDir);
  if (live) {
    runtime.writeStdout(live.endsWith('\n') ? live : `${live}\n`);
    return EXIT_OK;
  }
  const { effective, device } = await openWrtView(runtime, context, true);
  const { backend, decision } = await loadBackend(runtime, context.config.firewall);
  const drift = await backend.verify(effective.policy);
  const counters = await backend.counters();
  const now = runtime.now();
  const report = statusReport({
    effective,
    enforcement: { decision, applied: drift.length === 0, drift, verifiedAt: now, repairs: 0 },
    counters,
    device: { id: context.config.agent.deviceId, ...device },
    agent: { runtime: runtime.name, boot: null, startedAt: null, daemon: false },
    lastError: null,
    now,
  });
  runtime.writeStdout(`${JSON.stringify(report, null, 2)}\n`);
  return EXIT_OK;
}

export async function printCommand(runtime: Runtime, context: AgentContext): Promise<number> {
  const { effective } = await openWrtView(runtime, context);
  const { backend, decision } = await loadBackend(runtime, context.config.firewall);
  runtime.writeStdout(
    `# ${decision.name}: ${decision.reason}\n${backend.render(effective.policy)}`,
  );
  return EXIT_OK;
}
