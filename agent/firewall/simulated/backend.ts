// A clearly labelled simulated firewall: the FirewallBackend contract with the ruleset held in
// memory instead of a kernel. It exists for `npm start`'s simulated routers, which run the real
// daemon under Node; it refuses to run under QuickJS, and no config value selects it (only Node
// code that passes it to runDaemon explicitly). Drift is real within the simulation: tamper()
// plays someone flushing or changing the rules, and the daemon's periodic check repairs it.
import type { Runtime } from '../../runtime/runtime.ts';
import type { Policy } from '../../policy/policy.ts';
import {
  FirewallError,
  NO_COUNTERS,
  type ApplyResult,
  type Counters,
  type FirewallBackend,
} from '../backend.ts';
import type { BackendDecision } from '../choose-backend.ts';
import {
  renderSimulated,
  simulatedDrift,
  simulatedRuleset,
  type SimulatedRuleset,
} from './ruleset.ts';

export const SIMULATED_DECISION: BackendDecision = {
  name: 'simulated',
  reason: 'simulated firewall: rules held in memory, no kernel (Node runtime only)',
};

/** What the blocked LAN hosts behind the router do; sim/blocked-traffic.ts is one. */
export interface SimulatedTraffic {
  /** Time passes; attempts count only while a block rule is in place. */
  advance(now: number, blocking: boolean): void;
  /** The rules were rebuilt: counters start again from zero, as the kernel's do. */
  restart(now: number): void;
  counters(): Counters;
}

export type Tamper = 'flush' | 'accept';

export interface SimulatedFirewall extends FirewallBackend {
  /** The rules as they stand (null: none). */
  readonly ruleset: SimulatedRuleset;
  /** Someone else changes the rules: `fw4 flush` (all gone) or a verdict turned to accept. */
  tamper(kind: Tamper): void;
  /** From now on every apply fails with this message (null: they work again). */
  failApplies(message: string | null): void;
}

export interface SimulatedBackendOptions {
  readonly traffic?: SimulatedTraffic;
}

export function createSimulatedBackend(
  runtime: Runtime,
  options: SimulatedBackendOptions = {},
): SimulatedFirewall {
  if (runtime.name !== 'node')
    throw new FirewallError('the simulated firewall runs only under Node, never on a router');
  let ruleset: SimulatedRuleset = null;
  let failure: string | null = null;
  const traffic = options.traffic;
  const blocking = (): boolean => (ruleset ?? []).some((r) => r.verdict !== 'accept');

  return {
    name: 'simulated',
    get ruleset() {
      return ruleset;
    },
    apply(policy: Policy, { force = false } = {}): Promise<ApplyResult> {
      // Attempts made up to now were made under the old rules.
      traffic?.advance(runtime.now(), blocking());
      if (failure !== null) return Promise.reject(new FirewallError(failure));
      if (!force && simulatedDrift(ruleset, policy).length === 0)
        return Promise.resolve({ changed: false });
      ruleset = simulatedRuleset(policy);
      traffic?.restart(runtime.now());
      return Promise.resolve({ changed: true });
    },
    verify: (policy) => Promise.resolve(simulatedDrift(ruleset, policy)),
    counters() {
      if (!traffic || ruleset === null) return Promise.resolve(NO_COUNTERS);
      traffic.advance(runtime.now(), blocking());
      return Promise.resolve(traffic.counters());
    },
    remove() {
      ruleset = null;
      return Promise.resolve();
    },
    render: (policy) => renderSimulated(simulatedRuleset(policy)),
    tamper(kind) {
      traffic?.advance(runtime.now(), blocking());
      if (kind === 'flush') ruleset = null;
      else if (ruleset) ruleset = ruleset.map((r) => ({ ...r, verdict: 'accept' as const }));
    },
    failApplies(message) {
      failure = message;
    },
  };
}
