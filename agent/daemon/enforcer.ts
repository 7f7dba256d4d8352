// Keeps the kernel in line with the policy: applies it, checks it, repairs it, one operation at
// a time (two nft runs must never interleave), and remembers the outcome for the status.
import type { FirewallBackend } from '../firewall/backend.ts';
import type { BackendDecision } from '../firewall/choose-backend.ts';
import { cutBlockedFlows } from '../firewall/conntrack/cut-flows.ts';
import type { Logger } from '../log/logger.ts';
import type { Policy } from '../policy/policy.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Enforcement } from '../status/status-report.ts';

export class Enforcer {
  private queue: Promise<unknown> = Promise.resolve();
  private state: Enforcement;

  constructor(
    private readonly runtime: Runtime,
    private readonly backend: FirewallBackend,
    decision: BackendDecision,
    private readonly log: Logger,
  ) {
    this.state = { decision, applied: false, drift: [], verifiedAt: null, repairs: 0 };
  }

  get enforcement(): Enforcement {
    return this.state;
  }

  /** Runs `task` after every earlier one has finished. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Makes the kernel hold `policy` (force: rewrite it even when it matches). */
  enforce(policy: Policy, force = false): Promise<{ changed: boolean }> {
    return this.serial(async () => {
      try {
        const { changed } = await this.backend.apply(policy, { force });
        this.state = { ...this.state, applied: true, drift: [], verifiedAt: this.runtime.now() };
        // A simulated firewall has no kernel, and the host's own flows are none of its business.
        if (changed && policy.enabled && this.backend.name !== 'simulated') {
          const cut = await cutBlockedFlows(this.runtime, policy);
          if (cut.destinations.length)
            this.log.info(`cut open connections to ${cut.destinations.join(', ')}`);
        }
        return { changed };
      } catch (error) {
        this.state = { ...this.state, applied: false, verifiedAt: this.runtime.now() };
        throw error;
      }
    });
  }

  /**
   * Compares the kernel with `policy` and puts back what someone else changed. On drift,
   * `current` first gives the policy as it stands now (the WAN devices may have grown behind
   * the daemon's back: a one-shot apply, a missed event), and only a drift from that is repaired.
   */
  check(
    policy: Policy,
    current?: () => Promise<Policy>,
  ): Promise<{ drift: string[]; repaired: boolean }> {
    return this.serial(async () => {
      let drift = await this.backend.verify(policy);
      if (drift.length && current) {
        const now = await current();
        if (JSON.stringify(now) !== JSON.stringify(policy)) {
          policy = now;
          drift = await this.backend.verify(policy);
        }
      }
      const verifiedAt = this.runtime.now();
      if (drift.length === 0) {
        this.state = { ...this.state, applied: true, drift: [], verifiedAt };
        return { drift, repaired: false };
      }
      this.log.warn(`rules changed behind the agent's back: ${drift.join('; ')}`);
      this.state = { ...this.state, applied: false, drift, verifiedAt };
      await this.backend.apply(policy, { force: false });
      this.state = {
        ...this.state,
        applied: true,
        drift: [],
        repairs: this.state.repairs + 1,
        lastRepair: { at: this.runtime.now(), drift },
      };
      this.log.info('rules restored');
      if (policy.enabled && this.backend.name !== 'simulated')
        await cutBlockedFlows(this.runtime, policy);
      return { drift, repaired: true };
    });
  }

  /** Drift without repair, for the `verify` command. */
  verify(policy: Policy): Promise<string[]> {
    return this.serial(() => this.backend.verify(policy));
  }

  counters() {
    return this.serial(() => this.backend.counters());
  }
}
