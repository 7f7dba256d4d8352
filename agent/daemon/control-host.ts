// What handling the ISP's desired states and commands needs of the daemon (daemon.ts): the
// state in force, enforcing, and a way to answer.
import type { AgentConfig } from '../config/agent-config.ts';
import type { Logger } from '../log/logger.ts';
import type { EffectivePolicy } from '../policy/effective-policy.ts';
import type { ClaimsContext } from '../remote/claims.ts';
import type { SeenCommands } from '../remote/command.ts';
import type { DesiredState } from '../remote/desired-state.ts';
import type { ErrorObject } from '../remote/messages.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Enforcer } from './enforcer.ts';
import type { StatusReporter } from './status-reporter.ts';
import type { WanPolicy } from './wan-policy.ts';

export interface ControlHost {
  readonly runtime: Runtime;
  readonly log: Logger;
  readonly config: AgentConfig;
  /** The ISP's last desired state, as stored on flash; null: the config's policy alone. */
  desired: DesiredState | null;
  effective: EffectivePolicy;
  readonly enforcer: Enforcer;
  readonly reporter: StatusReporter;
  /** Command ids already received (replay protection). */
  readonly seen: SeenCommands;
  /** The WAN devices, and the policy in force for a desired state. */
  readonly wan: WanPolicy;
  claimsContext(): ClaimsContext;
  /** Enforces `effective`; false (and the error recorded) when the firewall failed. */
  enforce(force?: boolean): Promise<boolean>;
  /** Records and logs a failure; returns it as it goes into a reply. */
  fail(error: unknown, context: string): ErrorObject;
  /** The last error as it goes into a reply: code and message only. */
  lastErrorObject(): ErrorObject;
  /** Publishes on the reply topic; false when not connected. */
  reply(document: unknown): Promise<boolean>;
}
