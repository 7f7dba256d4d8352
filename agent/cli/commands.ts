// The CLI commands. Each returns an exit code and writes its own output.
import type { AgentConfig } from '../config/agent-config.ts';
import { cutBlockedFlows } from '../firewall/conntrack/cut-flows.ts';
import { removeEverywhere, selectBackend } from '../firewall/select-backend.ts';
import { formatPrefix } from '../policy/address.ts';
import type { Policy } from '../policy/policy.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { statusReport } from '../status/status-report.ts';
import { EXIT_DRIFT, EXIT_OK } from './exit-codes.ts';

function describe(policy: Policy): string {
  if (!policy.enabled) return 'block off';
  const wan = policy.wanDevices.length ? policy.wanDevices.join(',') : 'every device but lo';
  const allow = policy.allow.length ? policy.allow.map(formatPrefix).join(',') : 'none';
  return (
    `block on: ${policy.action} tcp port ${policy.ports.join(',')} ` +
    `(${policy.families.join('+')}) leaving ${wan}; relays allowed: ${allow}`
  );
}

export async function applyCommand(runtime: Runtime, config: AgentConfig): Promise<number> {
  const { backend, decision } = selectBackend(runtime, config.firewall);
  const { changed } = await backend.apply(config.policy);
  const state = changed ? 'applied' : 'already in place';
  runtime.writeStdout(`${state} (${decision.name}): ${describe(config.policy)}\n`);
  if (changed && config.policy.enabled) {
    const cut = await cutBlockedFlows(runtime, config.policy);
    if (cut.destinations.length)
      runtime.writeStdout(`cut open connections to ${cut.destinations.join(', ')}\n`);
    else if (cut.skipped)
      runtime.writeStderr(`op25b: note: open connections not cut: ${cut.skipped}\n`);
  }
  return EXIT_OK;
}

export async function verifyCommand(runtime: Runtime, config: AgentConfig): Promise<number> {
  const { backend, decision } = selectBackend(runtime, config.firewall);
  const drift = await backend.verify(config.policy);
  if (drift.length === 0) {
    runtime.writeStdout(
      `ok (${decision.name}): kernel matches policy, ${describe(config.policy)}\n`,
    );
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

export async function statusCommand(runtime: Runtime, config: AgentConfig): Promise<number> {
  const { backend, decision } = selectBackend(runtime, config.firewall);
  const drift = await backend.verify(config.policy);
  const counters = await backend.counters();
  const report = statusReport({
    config,
    decision,
    drift,
    counters,
    runtime: runtime.name,
    now: runtime.now(),
  });
  runtime.writeStdout(`${JSON.stringify(report, null, 2)}\n`);
  return EXIT_OK;
}

export function printCommand(runtime: Runtime, config: AgentConfig): number {
  const { backend, decision } = selectBackend(runtime, config.firewall);
  runtime.writeStdout(`# ${decision.name}: ${decision.reason}\n${backend.render(config.policy)}`);
  return EXIT_OK;
}
