// What every command needs: the config, and the policy in force (the ISP's stored desired state
// over the config's policy), so that a one-shot `apply` at boot enforces what the ISP last said.
import type { AgentConfig } from '../config/agent-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { loadDesired } from '../daemon/desired-store.ts';
import { effectivePolicy, type EffectivePolicy } from '../policy/effective-policy.ts';
import type { Runtime } from '../runtime/runtime.ts';

export interface AgentContext {
  readonly config: AgentConfig;
  readonly effective: EffectivePolicy;
}

export function loadAgentContext(runtime: Runtime, configPath: string): AgentContext {
  const config = loadConfig(runtime, configPath);
  for (const warning of config.warnings) runtime.writeStderr(`op25b: warn: ${warning}\n`);
  let desired = null;
  try {
    desired = loadDesired(runtime, config.agent.stateDir);
  } catch (error) {
    // Unreadable state: the config's policy (which blocks by default) stands.
    runtime.writeStderr(`op25b: warn: ignoring stored desired state: ${String(error)}\n`);
  }
  return { config, effective: effectivePolicy(config.policy, desired) };
}
