// One simulated router, as a pure model: no I/O, no timers, time passed in. It answers desired
// states and commands with the agent's own parsing and signature checks (agent/remote/) and the
// versioning rules of docs/mqtt-contract.md, and builds its documents with the agent's builders
// (agent/remote/messages.ts, agent/status/status-report.ts). Instead of a firewall it keeps a
// policy in force and counters that grow for an infected LAN host.
import type { ClaimsContext } from '../agent/remote/claims.ts';
import { commandIdHint, parseCommandMessage, SeenCommands } from '../agent/remote/command.ts';
import { parseDesiredMessage, versionHint } from '../agent/remote/desired-message.ts';
import type { DesiredState } from '../agent/remote/desired-state.ts';
import {
  commandReply,
  desiredReply,
  errorObject,
  stateMessage,
  type ErrorObject,
} from '../agent/remote/messages.ts';
import { effectivePolicy, type EffectivePolicy } from '../agent/policy/effective-policy.ts';
import { parsePolicy } from '../agent/policy/parse-policy.ts';
import type { Policy } from '../agent/policy/policy.ts';
import {
  statusReport,
  type ErrorReport,
  type StatusDocument,
} from '../agent/status/status-report.ts';
import type { CommandReplyDoc, DesiredReplyDoc, StateDoc } from '../contract/message-types.ts';
import { BlockedTraffic } from './blocked-traffic.ts';
import { simulatedDevice, type SimulatedDevice } from './device-identity.ts';
import type { Profile } from './profiles.ts';
import { randomHex16, randomInt, type Random } from './random.ts';

export const SIMULATED_BACKEND_REASON = 'simulated by fleet-sim: no kernel rules';
const MISSING_TABLE = 'table inet op25b is missing';
const FIREWALL_ERROR: ErrorObject = {
  code: 'firewall_failed',
  message: 'nft -f failed: Error: Could not process rule: No such file or directory (simulated)',
};

export interface RouterOptions {
  readonly id: string;
  readonly index: number;
  readonly profile: Profile;
  /** Ed25519 public key: only signed desired states and commands are accepted. Null: JSON. */
  readonly verifyKey: Uint8Array | null;
  readonly random: Random;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

export interface DesiredOutcome {
  readonly reply: DesiredReplyDoc;
  /** The agent publishes a status after this (a state applied, or one refused as invalid). */
  readonly statusChanged: boolean;
}

export interface CommandOutcome {
  readonly reply: CommandReplyDoc;
  /** `report`: the status must have gone out before the reply. */
  readonly statusBeforeReply: boolean;
  /** `reapply`: a status follows the reply. */
  readonly statusAfterReply: boolean;
}

function sameDesired(a: DesiredState, b: DesiredState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SimulatedRouter {
  readonly id: string;
  readonly profile: Profile;
  private readonly random: Random;
  private readonly verifyKey: Uint8Array | null;
  private readonly device: SimulatedDevice;
  private readonly config: Policy;
  private bootId = '';
  private startedAt = 0;
  /** On flash in the real agent: it survives reboots. */
  private desired: DesiredState | null = null;
  private effective: EffectivePolicy;
  private lastError: ErrorReport | null = null;
  private verifiedAt: number | null = null;
  private seen = new SeenCommands();
  private traffic: BlockedTraffic;

  constructor(options: RouterOptions) {
    this.id = options.id;
    this.profile = options.profile;
    this.random = options.random;
    this.verifyKey = options.verifyKey;
    this.device = simulatedDevice(options.id, options.index, options.profile);
    this.config = parsePolicy({
      // A business customer's own mail server: the ISP set the block off in its config.
      enabled: options.profile !== 'static',
      action: 'drop',
      ports: [25],
      allow: ['203.0.113.25'],
      wanDevices: [...this.device.wanDevices],
      families: ['ipv4', 'ipv6'],
    });
    this.effective = effectivePolicy(this.config, null);
    this.traffic = this.newTraffic(options.now);
    this.reboot(options.now);
  }

  get boot(): string {
    return this.bootId;
  }

  get appliedVersion(): number {
    return this.effective.version;
  }

  /** A new run of the daemon: new boot id, counters and replay memory gone, desired kept. */
  reboot(now: number): void {
    this.bootId = randomHex16(this.random);
    this.startedAt = now;
    this.seen = new SeenCommands();
    // The same infected hosts on the LAN, but the rules are new: their counters start at zero.
    this.traffic.restart(now);
    this.verifiedAt = now;
    this.lastError = this.profile === 'error' ? { ...FIREWALL_ERROR, at: now } : null;
  }

  state(online: boolean, now: number): StateDoc {
    return stateMessage(online, this.bootId, now);
  }

  status(now: number): StatusDocument {
    this.traffic.advance(now, this.enforcing());
    const broken = this.profile === 'error';
    return statusReport({
      effective: this.effective,
      enforcement: {
        decision: { name: 'nftables', reason: SIMULATED_BACKEND_REASON },
        applied: !broken,
        drift: broken ? [MISSING_TABLE] : [],
        verifiedAt: this.verifiedAt,
        repairs: 0,
      },
      counters: this.traffic.counters(),
      device: this.device.report,
      agent: { runtime: 'node', boot: this.bootId, startedAt: this.startedAt, daemon: true },
      lastError: this.lastError,
      now,
    });
  }

  onDesired(payload: string, byteLength: number, now: number): DesiredOutcome {
    let desired: DesiredState;
    let effective: EffectivePolicy;
    try {
      desired = parseDesiredMessage(payload, byteLength, this.claims(now));
      effective = effectivePolicy(this.config, desired);
    } catch (error) {
      return {
        reply: desiredReply(versionHint(error), this.fail(error, now)),
        statusChanged: true,
      };
    }
    const current = this.desired;
    if (current && desired.version < current.version) {
      const message = `version ${desired.version} is older than the applied version ${current.version}; ignored`;
      return {
        reply: desiredReply(desired.version, { code: 'stale_version', message }),
        statusChanged: false,
      };
    }
    if (current && desired.version === current.version) {
      if (sameDesired(desired, current))
        return {
          reply: desiredReply(desired.version, null, 'already applied'),
          statusChanged: false,
        };
      const message = `version ${desired.version} is already applied with other content; ignored`;
      return {
        reply: desiredReply(desired.version, { code: 'version_conflict', message }),
        statusChanged: false,
      };
    }
    this.traffic.advance(now, this.enforcing());
    this.desired = desired;
    this.effective = effective;
    return { reply: desiredReply(desired.version, this.enforce(now)), statusChanged: true };
  }

  onCommand(payload: string, byteLength: number, now: number): CommandOutcome {
    const outcome = (
      reply: CommandReplyDoc,
      statusBeforeReply = false,
      statusAfterReply = false,
    ): CommandOutcome => ({ reply, statusBeforeReply, statusAfterReply });
    let command;
    try {
      command = parseCommandMessage(payload, byteLength, this.claims(now));
    } catch (error) {
      return outcome(commandReply(commandIdHint(error), this.fail(error, now)));
    }
    if (!this.seen.admit(command, Math.floor(now / 1000)))
      return outcome(
        commandReply(command.id, {
          code: 'replayed',
          message: `command ${command.id} was already received`,
        }),
      );
    switch (command.op) {
      case 'report':
        return outcome(commandReply(command.id, null), true);
      case 'verify': {
        this.verifiedAt = now;
        const drift = this.profile === 'error' ? [MISSING_TABLE] : [];
        return outcome(commandReply(command.id, null, { applied: drift.length === 0, drift }));
      }
      case 'reapply':
        this.traffic.advance(now, this.enforcing());
        return outcome(commandReply(command.id, this.enforce(now)), false, true);
    }
  }

  private enforcing(): boolean {
    return this.effective.policy.enabled && this.profile !== 'error';
  }

  /** "Applies" the policy in force: the rules are rebuilt, so the counters restart. */
  private enforce(now: number): ErrorObject | null {
    this.traffic.restart(now);
    this.verifiedAt = now;
    if (this.profile === 'error') {
      this.lastError = { ...FIREWALL_ERROR, at: now };
      return FIREWALL_ERROR;
    }
    this.lastError = null;
    return null;
  }

  private fail(error: unknown, now: number): ErrorObject {
    const object = errorObject(error);
    this.lastError = { ...object, at: now };
    return object;
  }

  private claims(now: number): ClaimsContext {
    // Without a key the simulated router is a lab one (allow_unsigned '1'): plain JSON obeyed.
    return {
      deviceId: this.id,
      keys: this.verifyKey ? [{ kid: null, key: this.verifyKey }] : null,
      allowUnsigned: this.verifyKey === null,
      now: Math.floor(now / 1000),
    };
  }

  private newTraffic(now: number): BlockedTraffic {
    const hosts = this.profile === 'infected' ? randomInt(this.random, 1, 3) : 0;
    return new BlockedTraffic(hosts, this.random, now);
  }
}
