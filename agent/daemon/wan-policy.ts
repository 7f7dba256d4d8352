// The daemon's WAN devices and the policy in force: the desired state over the config, with the
// devices netifd reports (wan-tracker.ts) and those one-shot commands (the firewall include's
// `apply`) added to the shared list in the run directory: one list, re-read before it is written
// and before a repair decides.
import type { AgentConfig } from '../config/agent-config.ts';
import type { Logger } from '../log/logger.ts';
import type { Ubus } from '../openwrt/ubus.ts';
import { wanInterfaces, withWanDevices } from '../openwrt/wan-devices.ts';
import { trackWan, type WanTracker } from '../openwrt/wan-tracker.ts';
import { effectivePolicy, type EffectivePolicy } from '../policy/effective-policy.ts';
import type { DesiredState } from '../remote/desired-state.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { readWanDevicesFile, writeWanDevices } from './run-files.ts';

/** What of the config decides the WAN devices: a change makes the daemon forget those seen. */
export function wanConfig(config: AgentConfig): string {
  return JSON.stringify([config.wanInterfaces, config.policy.wanDevices]);
}

export class WanPolicy {
  /** Follows the config's WAN interfaces; null: no ubus, or none configured. */
  tracker: WanTracker | null;
  /** The WAN devices last written to the run directory, joined. */
  private published: string | null = null;
  /** A new tracker (config change): the shared list starts again from its devices. */
  private forgetShared = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly ubus: Ubus | null,
    private readonly log: Logger,
    /** The config in force: reload replaces it. */
    private readonly config: () => AgentConfig,
    /** The current tracker saw the WAN devices change. */
    private readonly onChange: () => void,
  ) {
    this.tracker = this.newTracker();
  }

  private newTracker(): WanTracker | null {
    const config = this.config();
    const names = wanInterfaces(config.wanInterfaces, this.ubus !== null);
    if (!this.ubus || names.length === 0) {
      if (config.wanInterfaces) this.log.warn('wan_interface needs ubus, which is missing');
      return null;
    }
    const tracker: WanTracker = trackWan({
      runtime: this.runtime,
      ubus: this.ubus,
      names,
      explicit: config.wanInterfaces !== null,
      log: this.log,
      probeIntervalMs: config.agent.ubusProbeIntervalS * 1000,
      ubusSocket: config.agent.ubusSocket,
      onChange: () => {
        if (tracker === this.tracker) this.onChange();
      },
    });
    return tracker;
  }

  /** The config's WAN interfaces changed: a new tracker, and the devices seen so far forgotten. */
  async renew(): Promise<void> {
    this.tracker?.stop();
    this.tracker = this.newTracker();
    this.forgetShared = true;
    await this.tracker?.refresh();
    this.tracker?.start();
  }

  /** The devices other commands added to the shared list join the tracker's. */
  adoptShared(): void {
    if (!this.tracker || this.forgetShared) return;
    const added = this.tracker.adopt(readWanDevicesFile(this.runtime, this.config().agent.runDir));
    if (added.length) this.log.info(`WAN devices added by another command: ${added.join(', ')}`);
  }

  /** The policy in force for `desired`; writes the shared list when the devices changed. */
  effectiveFor(desired: DesiredState | null): EffectivePolicy {
    this.adoptShared();
    this.forgetShared = false;
    const config = this.config();
    const seen = this.tracker?.devices() ?? [];
    if (seen.join() !== this.published) {
      this.published = seen.join();
      try {
        writeWanDevices(this.runtime, config.agent.runDir, seen);
      } catch (error) {
        this.log.warn(`cannot write the WAN device list: ${String(error)}`);
      }
    }
    const policy = this.tracker ? withWanDevices(config.policy, seen) : config.policy;
    return effectivePolicy(policy, desired);
  }
}
