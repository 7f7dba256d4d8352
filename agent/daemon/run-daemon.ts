// `run`: the daemon. Enforces at once (the stored desired state, else the config's policy),
// then follows the ISP over MQTT, repairs rules that someone else removed, reports its status,
// reloads on SIGHUP and exits cleanly on SIGTERM. The rules stay in the kernel when it stops.
import { describe } from '../cli/commands.ts';
import type { AgentConfig } from '../config/agent-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { selectBackend } from '../firewall/select-backend.ts';
import { InputError } from '../input-error.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { stderrOutput, syslogOutput, type LogOutput } from '../log/syslog-sink.ts';
import { resolveDeviceId } from '../device/device-id.ts';
import { boardReport } from '../openwrt/system-board.ts';
import { createUbus, type Ubus } from '../openwrt/ubus.ts';
import { wanInterfaces, withWanDevices } from '../openwrt/wan-devices.ts';
import { trackWan, type WanTracker } from '../openwrt/wan-tracker.ts';
import { effectivePolicy, type EffectivePolicy } from '../policy/effective-policy.ts';
import type { ClaimsContext } from '../remote/claims.ts';
import { commandIdHint, parseCommandMessage, SeenCommands } from '../remote/command.ts';
import { parseDesiredMessage, versionHint } from '../remote/desired-message.ts';
import type { DesiredState } from '../remote/desired-state.ts';
import { commandReply, desiredReply, errorObject, type ErrorObject } from '../remote/messages.ts';
import { parseEd25519PublicKey } from '../remote/public-key.ts';
import { topicsFor, type Topics } from '../../contract/topics.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { statusReport, type DeviceReport, type ErrorReport } from '../status/status-report.ts';
import { loadDesired, saveDesired } from './desired-store.ts';
import { Enforcer } from './enforcer.ts';
import { RemoteLink, type InboundKind } from './remote-link.ts';
import { PID_FILE, STATUS_FILE, WAN_DEVICES_FILE, writeWanDevices } from './run-files.ts';
import { watchRules, type RuleWatch } from './rule-watch.ts';
import { StatusReporter } from './status-reporter.ts';

const STATUS_MIN_INTERVAL_MS = 1000;
const VERIFY_INTERVAL_S = { nftables: 30, iptables: 5 } as const;

function sameDesired(a: DesiredState, b: DesiredState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function ownPid(runtime: Runtime): string {
  // /proc/self is the reader: qjs itself (QuickJS 2021-03-27 has no os.getpid).
  return (runtime.readText('/proc/self/stat') ?? '').split(' ')[0] ?? '';
}

function randomId(runtime: Runtime): string {
  const uuid = runtime.readText('/proc/sys/kernel/random/uuid')?.trim().replace(/-/g, '');
  return uuid && /^[0-9a-f]{32}$/.test(uuid)
    ? uuid.slice(0, 16)
    : Math.random().toString(16).slice(2).padEnd(16, '0').slice(0, 16);
}

function loadVerifyKey(runtime: Runtime, file: string | null): Uint8Array | null {
  if (!file) return null;
  const text = runtime.readText(file);
  if (text === null)
    throw new InputError('invalid_verify_key', `cannot read verify_key_file ${file}`);
  return parseEd25519PublicKey(text);
}

/** What of the config decides the WAN devices: a change makes the daemon forget those seen. */
function wanConfig(config: AgentConfig): string {
  return JSON.stringify([config.wanInterfaces, config.policy.wanDevices]);
}

class Daemon {
  private config: AgentConfig;
  private readonly logOutput: LogOutput;
  private readonly log: Logger;
  private readonly ubus: Ubus | null;
  private wan: WanTracker | null = null;
  private board: Omit<DeviceReport, 'id'> | null = null;
  private readonly boot: string;
  private readonly startedAt: number;
  private deviceId: string;
  private topics: Topics;
  private verifyKey: Uint8Array | null;
  private desired: DesiredState | null = null;
  private effective: EffectivePolicy;
  private enforcer: Enforcer;
  private lastError: ErrorReport | null = null;
  private link: RemoteLink | null = null;
  private watch: RuleWatch | null = null;
  private readonly seen = new SeenCommands();
  private inbound: Promise<void> = Promise.resolve();
  /** The WAN devices last written to the run directory, joined. */
  private publishedWan: string | null = null;
  private readonly reporter: StatusReporter;
  private reportTimer: ReturnType<Runtime['setTimeout']> | null = null;

  constructor(
    private readonly runtime: Runtime,
    private readonly configPath: string,
  ) {
    this.config = loadConfig(runtime, configPath);
    runtime.makeDirectory(this.config.agent.runDir);
    this.logOutput =
      this.config.agent.logTarget === 'syslog' ? syslogOutput(runtime) : stderrOutput(runtime);
    this.log = createLogger(this.logOutput.sink, this.config.agent.logLevel);
    for (const warning of this.config.warnings) this.log.warn(warning);
    this.boot = randomId(runtime);
    this.startedAt = runtime.now();
    this.deviceId = resolveDeviceId(
      this.config.agent.deviceId,
      this.config.agent.deviceIdDevice,
      runtime.readText,
    );
    this.topics = topicsFor(this.config.mqtt?.topicPrefix ?? '', this.deviceId);
    this.verifyKey = loadVerifyKey(runtime, this.config.agent.verifyKeyFile);
    try {
      this.desired = loadDesired(runtime, this.config.agent.stateDir);
    } catch (error) {
      this.fail(error, 'ignoring the stored desired state');
    }
    this.ubus = runtime.findExecutable('ubus') ? createUbus(runtime) : null;
    this.wan = this.wanTracker();
    this.effective = this.effectiveFor(this.desired);
    const { backend, decision } = selectBackend(runtime, this.config.firewall);
    this.enforcer = new Enforcer(runtime, backend, decision, this.log);
    this.reporter = new StatusReporter({
      runtime,
      minIntervalMs: STATUS_MIN_INTERVAL_MS,
      build: () => this.statusDocument(),
      store: (text) => this.storeStatus(text),
      publish: (document) =>
        this.link?.publish(this.topics.status, document, true) ?? Promise.resolve(false),
    });
  }

  /** The last error as it goes into a reply: code and message only. */
  private lastErrorObject(): ErrorObject {
    const error = this.lastError ?? { code: 'internal', message: 'unknown failure' };
    return { code: error.code, message: error.message };
  }

  /** Follows the WAN interfaces of the config, or null (no ubus, or none configured). */
  private wanTracker(): WanTracker | null {
    const names = wanInterfaces(this.config.wanInterfaces, this.ubus !== null);
    if (!this.ubus || names.length === 0) {
      if (this.config.wanInterfaces) this.log.warn('wan_interface needs ubus, which is missing');
      return null;
    }
    const tracker: WanTracker = trackWan({
      runtime: this.runtime,
      ubus: this.ubus,
      names,
      explicit: this.config.wanInterfaces !== null,
      log: this.log,
      onChange: () => {
        if (tracker === this.wan) void this.wanChanged();
      },
    });
    return tracker;
  }

  /** The policy in force: the desired state over the config, WAN devices from netifd added. */
  private effectiveFor(desired: DesiredState | null): EffectivePolicy {
    const seen = this.wan?.devices() ?? [];
    if (seen.join() !== this.publishedWan) {
      this.publishedWan = seen.join();
      try {
        writeWanDevices(this.runtime, this.config.agent.runDir, seen);
      } catch (error) {
        this.log.warn(`cannot write the WAN device list: ${String(error)}`);
      }
    }
    const policy = this.wan ? withWanDevices(this.config.policy, seen) : this.config.policy;
    return effectivePolicy(policy, desired);
  }

  private async wanChanged(): Promise<void> {
    const before = this.effective.policy.wanDevices.join();
    this.effective = this.effectiveFor(this.desired);
    if (this.effective.policy.wanDevices.join() !== before) await this.enforce();
    void this.reporter.request();
  }

  private fail(error: unknown, context: string): ErrorObject {
    const object = errorObject(error);
    this.lastError = { ...object, at: this.runtime.now() };
    this.log.error(`${context}: ${object.message}`);
    return object;
  }

  private async statusDocument() {
    const counters = await this.enforcer.counters();
    if (!this.board && this.ubus) {
      const board = await boardReport(this.ubus);
      if (board.model || board.board || board.release) this.board = board;
    }
    const wanProto = this.wan?.proto();
    return statusReport({
      effective: this.effective,
      enforcement: this.enforcer.enforcement,
      counters,
      device: { id: this.deviceId, ...this.board, ...(wanProto && { wanProto }) },
      agent: {
        runtime: this.runtime.name,
        boot: this.boot,
        startedAt: this.startedAt,
        daemon: true,
      },
      lastError: this.lastError,
      now: this.runtime.now(),
    });
  }

  private storeStatus(text: string): void {
    try {
      this.runtime.writeTextAtomic(`${this.config.agent.runDir}/${STATUS_FILE}`, text);
    } catch (error) {
      this.log.warn(`cannot write the status file: ${String(error)}`);
    }
  }

  private async enforce(force = false): Promise<boolean> {
    try {
      const { changed } = await this.enforcer.enforce(this.effective.policy, force);
      if (changed || force) this.log.info(`enforcing: ${describe(this.effective)}`);
      this.lastError = null; // the kernel holds the policy: an earlier failure is history
      return true;
    } catch (error) {
      this.fail(error, 'cannot enforce the policy');
      return false;
    }
  }

  async start(): Promise<void> {
    const { runDir } = this.config.agent;
    this.runtime.makeDirectory(runDir);
    this.runtime.writeTextAtomic(`${runDir}/${PID_FILE}`, `${ownPid(this.runtime)}\n`);
    // First the block, then everything else: the broker may be far away, or down. netifd is
    // near: its WAN devices are in the very first rules.
    await this.wan?.refresh();
    this.effective = this.effectiveFor(this.desired);
    await this.enforce();
    this.wan?.start();
    this.startWatch();
    this.startLink();
    this.scheduleReport();
    void this.reporter.request();
  }

  private startWatch(): void {
    const backend = this.enforcer.enforcement.decision.name;
    const seconds = this.config.agent.verifyIntervalS || VERIFY_INTERVAL_S[backend];
    this.watch = watchRules(this.runtime, backend, seconds * 1000, this.log, (reason) => {
      void this.enforcer
        .check(this.effective.policy)
        .then(({ repaired }) => {
          if (repaired) {
            this.log.info(`repaired after ${reason}`);
            void this.reporter.request();
          }
        })
        .catch((error: unknown) => {
          this.fail(error, 'check failed');
          void this.reporter.request();
        });
    });
  }

  private startLink(): void {
    const mqtt = this.config.mqtt;
    if (!mqtt) {
      this.log.info('no MQTT broker configured: enforcing offline');
      return;
    }
    this.topics = topicsFor(mqtt.topicPrefix, this.deviceId);
    this.link = new RemoteLink(
      this.runtime,
      mqtt,
      this.deviceId,
      this.topics,
      this.boot,
      this.log,
      {
        onConnected: () => void this.reporter.request(),
        onMessage: (kind, payload, bytes) => {
          // One message at a time: a desired state checked while an earlier one is still being
          // stored would be compared with a stale version.
          this.inbound = this.inbound
            .then(() => this.onMessage(kind, payload, bytes))
            .catch((error: unknown) => void this.fail(error, 'message handling failed'));
        },
      },
    );
    this.link.start();
  }

  private scheduleReport(): void {
    this.reportTimer = this.runtime.setTimeout(() => {
      void this.reporter.request();
      this.scheduleReport();
    }, this.config.agent.reportIntervalS * 1000);
  }

  private claimsContext(): ClaimsContext {
    return {
      deviceId: this.deviceId,
      verifyKey: this.verifyKey,
      now: Math.floor(this.runtime.now() / 1000),
    };
  }

  private reply(document: unknown): Promise<boolean> {
    return this.link?.publish(this.topics.reply, document, false) ?? Promise.resolve(false);
  }

  private async onMessage(kind: InboundKind, payload: string, bytes: number): Promise<void> {
    if (kind === 'desired') await this.onDesired(payload, bytes);
    else await this.onCommand(payload, bytes);
  }

  private async onDesired(payload: string, bytes: number): Promise<void> {
    let desired: DesiredState;
    let effective: EffectivePolicy;
    try {
      desired = parseDesiredMessage(payload, bytes, this.claimsContext());
      effective = this.effectiveFor(desired);
    } catch (error) {
      const object = this.fail(error, 'desired state rejected');
      await this.reply(desiredReply(versionHint(payload), object));
      void this.reporter.request();
      return;
    }
    const current = this.desired;
    if (current && desired.version < current.version) {
      const message = `version ${desired.version} is older than the applied version ${current.version}; ignored`;
      this.log.warn(message);
      await this.reply(desiredReply(desired.version, { code: 'stale_version', message }));
      return;
    }
    if (current && desired.version === current.version) {
      if (sameDesired(desired, current))
        await this.reply(desiredReply(desired.version, null, 'already applied'));
      else {
        const message = `version ${desired.version} is already applied with other content; ignored`;
        this.log.warn(message);
        await this.reply(desiredReply(desired.version, { code: 'version_conflict', message }));
      }
      return;
    }
    try {
      // On flash before it is acknowledged: a reboot right after the reply keeps it.
      await saveDesired(this.runtime, this.config.agent.stateDir, desired);
    } catch (error) {
      const object = this.fail(error, 'cannot store the desired state');
      await this.reply(desiredReply(desired.version, { ...object, code: 'storage_failed' }));
      void this.reporter.request();
      return;
    }
    this.desired = desired;
    this.effective = effective;
    const enforced = await this.enforce();
    await this.reply(desiredReply(desired.version, enforced ? null : this.lastErrorObject()));
    void this.reporter.request();
  }

  private async onCommand(payload: string, bytes: number): Promise<void> {
    let command;
    try {
      command = parseCommandMessage(payload, bytes, this.claimsContext());
    } catch (error) {
      const object = this.fail(error, 'command rejected');
      await this.reply(commandReply(commandIdHint(payload), object));
      return;
    }
    if (!this.seen.admit(command, Math.floor(this.runtime.now() / 1000))) {
      const object = { code: 'replayed', message: `command ${command.id} was already received` };
      this.log.warn(object.message);
      await this.reply(commandReply(command.id, object));
      return;
    }
    this.log.info(`command ${command.id}: ${command.op}`);
    try {
      switch (command.op) {
        case 'report':
          await this.reporter.request();
          await this.reply(commandReply(command.id, null));
          break;
        case 'verify': {
          const drift = await this.enforcer.verify(this.effective.policy);
          await this.reply(commandReply(command.id, null, { applied: drift.length === 0, drift }));
          break;
        }
        case 'reapply': {
          const ok = await this.enforce(true);
          await this.reply(commandReply(command.id, ok ? null : this.lastErrorObject()));

          void this.reporter.request();
          break;
        }
      }
    } catch (error) {
      await this.reply(commandReply(command.id, this.fail(error, `command ${command.id} failed`)));
    }
  }

  /** SIGHUP: re-read the config; a bad one is logged and changes nothing. */
  async reload(): Promise<void> {
    let config: AgentConfig;
    try {
      config = loadConfig(this.runtime, this.configPath);
      this.verifyKey = loadVerifyKey(this.runtime, config.agent.verifyKeyFile);
    } catch (error) {
      this.fail(error, 'reload failed, keeping the running config');
      void this.reporter.request();
      return;
    }
    for (const warning of config.warnings) this.log.warn(warning);
    const relink = JSON.stringify(config.mqtt) !== JSON.stringify(this.config.mqtt);
    const rebackend = JSON.stringify(config.firewall) !== JSON.stringify(this.config.firewall);
    const rewan = wanConfig(config) !== wanConfig(this.config);
    this.config = config;
    if (rewan) {
      this.wan?.stop();
      this.wan = this.wanTracker();
      await this.wan?.refresh();
      this.wan?.start();
    }
    this.effective = this.effectiveFor(this.desired);
    if (rebackend) {
      const { backend, decision } = selectBackend(this.runtime, config.firewall);
      this.enforcer = new Enforcer(this.runtime, backend, decision, this.log);
      this.watch?.stop();
      this.startWatch();
    }
    await this.enforce();
    if (relink) {
      await this.link?.stop();
      this.link = null;
      this.startLink();
    }
    this.log.info('config reloaded');
    void this.reporter.request();
  }

  /** SIGTERM: say goodbye and stop. The rules stay in the kernel. */
  async stop(): Promise<void> {
    this.watch?.stop();
    this.wan?.stop();
    this.reporter.cancel();
    if (this.reportTimer) this.runtime.clearTimeout(this.reportTimer);
    await this.link?.stop();
    this.runtime.removeFile(`${this.config.agent.runDir}/${PID_FILE}`);
    this.runtime.removeFile(`${this.config.agent.runDir}/${STATUS_FILE}`);
    this.runtime.removeFile(`${this.config.agent.runDir}/${WAN_DEVICES_FILE}`);
    this.log.info('stopped; the rules stay in place');
    await this.logOutput.close();
  }
}

export async function runDaemon(runtime: Runtime, configPath: string): Promise<number> {
  const daemon = new Daemon(runtime, configPath);
  await daemon.start();
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      void daemon.stop().then(() => resolve(0));
    };
    runtime.onSignal('TERM', stop);
    runtime.onSignal('INT', stop);
    runtime.onSignal('HUP', () => void daemon.reload());
  });
}
