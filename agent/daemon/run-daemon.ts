// `run`: the daemon. Enforces at once (the stored desired state, else the config's policy),
// then follows the ISP over MQTT, repairs rules that someone else removed, reports its status,
// reloads on SIGHUP and exits cleanly on SIGTERM. The rules stay in the kernel when it stops.
import { describe } from '../cli/commands.ts';
import type { AgentConfig } from '../config/agent-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { selectBackend, type SelectedBackend } from '../firewall/select-backend.ts';
import { InputError } from '../input-error.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { procdOutput, stderrOutput, syslogOutput, type LogOutput } from '../log/syslog-sink.ts';
import { noDeviceIdReason, resolveDeviceId } from '../device/device-id.ts';
import { boardReport } from '../openwrt/system-board.ts';
import { createUbus, type Ubus } from '../openwrt/ubus.ts';
import { wanInterfaces, withWanDevices } from '../openwrt/wan-devices.ts';
import { trackWan, type WanTracker } from '../openwrt/wan-tracker.ts';
import { effectivePolicy, type EffectivePolicy } from '../policy/effective-policy.ts';
import { remoteControl, type ClaimsContext } from '../remote/claims.ts';
import { commandIdHint, parseCommandMessage, SeenCommands } from '../remote/command.ts';
import { parseDesiredEnvelope, versionHint } from '../remote/desired-message.ts';
import { desiredFromObject, type DesiredState } from '../remote/desired-state.ts';
import { payloadText } from '../remote/payload-text.ts';
import { commandReply, desiredReply, errorObject, type ErrorObject } from '../remote/messages.ts';
import { parseVerifyKeys, type VerifyKeys } from '../remote/public-key.ts';
import { topicsFor, type Topics } from '../../contract/topics.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { statusReport, type DeviceReport, type ErrorReport } from '../status/status-report.ts';
import { loadDesired, removeLeftovers, saveDesired } from './desired-store.ts';
import { Enforcer } from './enforcer.ts';
import { InboundQueue, type DropReason, type InboundMessage } from './inbound-queue.ts';
import { RemoteLink } from './remote-link.ts';
import { tieChildren, type TiedChildren } from '../runtime/tied-children.ts';
import {
  HELPERS_FILE,
  PID_FILE,
  readWanDevicesFile,
  STATUS_FILE,
  WAN_DEVICES_FILE,
  writeWanDevices,
} from './run-files.ts';
import { watchRules, type RuleWatch } from './rule-watch.ts';
import { StatusReporter } from './status-reporter.ts';

const STATUS_MIN_INTERVAL_MS = 1000;
/** Without a device id (and with a broker): how often to look for one again. */
const ID_RETRY_MS = 60_000;
// On nftables `nft monitor` is the event source: the periodic check is only a safety net.
const VERIFY_INTERVAL_S = { nftables: 3600, iptables: 5, simulated: 30 } as const;

/** What Node code may put in place of the router's own programs; routers never pass any. */
export interface DaemonOptions {
  /** The firewall instead of the probed nft/iptables one (the simulated routers of npm start). */
  readonly firewall?: (runtime: Runtime) => SelectedBackend;
  /** Instead of the `ubus` program: the same calls and replies, in process. */
  readonly ubus?: Ubus;
}

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

function loadVerifyKeys(runtime: Runtime, file: string | null): VerifyKeys | null {
  if (!file) return null;
  const text = runtime.readText(file);
  if (text === null)
    throw new InputError('invalid_verify_key', `cannot read verify_key_file ${file}`);
  return parseVerifyKeys(text);
}

/** What of the config decides the WAN devices: a change makes the daemon forget those seen. */
function wanConfig(config: AgentConfig): string {
  return JSON.stringify([config.wanInterfaces, config.policy.wanDevices]);
}

class Daemon {
  /** The runtime whose long-running children are recorded in the run directory. */
  private readonly runtime: Runtime;
  private readonly helpers: TiedChildren;
  private config: AgentConfig;
  private readonly logOutput: LogOutput;
  private readonly log: Logger;
  private readonly ubus: Ubus | null;
  private wan: WanTracker | null = null;
  private board: Omit<DeviceReport, 'id'> | null = null;
  private readonly boot: string;
  private readonly startedAt: number;
  private deviceId: string | null;
  private topics: Topics | null;
  private verifyKeys: VerifyKeys | null;
  private desired: DesiredState | null = null;
  private effective: EffectivePolicy;
  private enforcer: Enforcer;
  private lastError: ErrorReport | null = null;
  /** Why the broker cannot be reached (or no device id), while it lasts; in the status. */
  private linkError: ErrorReport | null = null;
  private idTimer: ReturnType<Runtime['setTimeout']> | null = null;
  private link: RemoteLink | null = null;
  private watch: RuleWatch | null = null;
  private readonly seen = new SeenCommands();
  private readonly inbound = new InboundQueue(
    (message) => this.onMessage(message),
    (message, why) => void this.dropMessage(message, why),
    (error) => void this.fail(error, 'message handling failed'),
  );
  /** The WAN devices last written to the run directory, joined. */
  private publishedWan: string | null = null;
  /** A new tracker (config change): the shared list starts again from its devices. */
  private forgetShared = false;
  private readonly reporter: StatusReporter;
  private reportTimer: ReturnType<Runtime['setTimeout']> | null = null;

  constructor(
    baseRuntime: Runtime,
    private readonly configPath: string,
    private readonly options: DaemonOptions = {},
  ) {
    this.config = loadConfig(baseRuntime, configPath);
    baseRuntime.makeDirectory(this.config.agent.runDir);
    this.helpers = tieChildren(baseRuntime, `${this.config.agent.runDir}/${HELPERS_FILE}`, (e) =>
      this.log.warn(`cannot write the helpers file: ${String(e)}`),
    );
    const runtime = this.helpers.runtime;
    this.runtime = runtime;
    const outputs = { stderr: stderrOutput, procd: procdOutput, syslog: syslogOutput };
    this.logOutput = outputs[this.config.agent.logTarget](runtime);
    this.log = createLogger(this.logOutput.sink, this.config.agent.logLevel);
    for (const warning of this.config.warnings) this.log.warn(warning);
    this.boot = randomId(runtime);
    this.startedAt = runtime.now();
    // Only MQTT needs the id: without one the block is enforced all the same.
    this.deviceId = this.deriveDeviceId();
    this.topics = null;
    this.verifyKeys = loadVerifyKeys(runtime, this.config.agent.verifyKeyFile);
    const leftovers = removeLeftovers(runtime, this.config.agent.stateDir);
    if (leftovers.length > 0)
      this.log.warn(`removed unfinished writes from state_dir: ${leftovers.join(', ')}`);
    try {
      this.desired = loadDesired(runtime, this.config.agent.stateDir);
    } catch (error) {
      this.fail(error, 'ignoring the stored desired state');
    }
    this.ubus = options.ubus ?? (runtime.findExecutable('ubus') ? createUbus(runtime) : null);
    this.wan = this.wanTracker();
    this.effective = this.effectiveFor(this.desired);
    const { backend, decision } = this.selectBackend();
    this.enforcer = new Enforcer(runtime, backend, decision, this.log);
    this.reporter = new StatusReporter({
      runtime,
      minIntervalMs: STATUS_MIN_INTERVAL_MS,
      build: () => this.statusDocument(),
      store: (text) => this.storeStatus(text),
      publish: (document) =>
        (this.topics && this.link?.publish(this.topics.status, document, true)) ??
        Promise.resolve(false),
    });
  }

  private selectBackend(): SelectedBackend {
    return (
      this.options.firewall?.(this.runtime) ?? selectBackend(this.runtime, this.config.firewall)
    );
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
      probeIntervalMs: this.config.agent.ubusProbeIntervalS * 1000,
      ubusSocket: this.config.agent.ubusSocket,
      onChange: () => {
        if (tracker === this.wan) void this.wanChanged();
      },
    });
    return tracker;
  }

  /**
   * The devices one-shot commands (the firewall include's `apply`) added to the shared list
   * join the tracker's: one list, re-read before it is written and before a repair decides.
   */
  private adoptShared(): void {
    if (!this.wan || this.forgetShared) return;
    const added = this.wan.adopt(readWanDevicesFile(this.runtime, this.config.agent.runDir));
    if (added.length) this.log.info(`WAN devices added by another command: ${added.join(', ')}`);
  }

  /** The policy in force: the desired state over the config, WAN devices from netifd added. */
  private effectiveFor(desired: DesiredState | null): EffectivePolicy {
    this.adoptShared();
    this.forgetShared = false;
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
        ...(this.config.mqtt && { remoteControl: remoteControl(this.claimsContext()) }),
      },
      lastError: this.lastError ?? this.linkError,
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
    // First the block, then everything else: the broker may be far away, or down. netifd is
    // near: its WAN devices are in the very first rules. (An await first: see run-cli.ts.)
    await this.wan?.refresh();
    const { runDir } = this.config.agent;
    this.runtime.makeDirectory(runDir);
    this.runtime.writeTextAtomic(`${runDir}/${PID_FILE}`, `${ownPid(this.runtime)}\n`);
    const leftovers = await this.helpers.killLeftovers();
    if (leftovers.length > 0)
      this.log.info(`ended helpers an earlier run left behind: pids ${leftovers.join(', ')}`);
    this.effective = this.effectiveFor(this.desired);
    await this.enforce();
    this.wan?.start();
    this.startWatch();
    this.warnRemoteControl();
    this.startLink();
    this.scheduleReport();
    void this.reporter.request();
  }

  private startWatch(): void {
    const backend = this.enforcer.enforcement.decision.name;
    const seconds = this.config.agent.verifyIntervalS || VERIFY_INTERVAL_S[backend];
    // Before a repair: the shared list and netifd again, so that a device another command
    // added (or an event we missed) is never taken out.
    const current = async () => {
      this.adoptShared();
      await this.wan?.refresh();
      this.effective = this.effectiveFor(this.desired);
      return this.effective.policy;
    };
    this.watch = watchRules(this.runtime, backend, seconds * 1000, this.log, (reason) => {
      void this.enforcer
        .check(this.effective.policy, current)
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

  private deriveDeviceId(): string | null {
    const { deviceId, deviceIdDevice } = this.config.agent;
    return resolveDeviceId(deviceId, deviceIdDevice, this.runtime);
  }

  private startLink(): void {
    const mqtt = this.config.mqtt;
    if (!mqtt) {
      this.log.info('no MQTT broker configured: enforcing offline');
      return;
    }
    const id = (this.deviceId ??= this.deriveDeviceId());
    if (id === null) {
      // Enforcing goes on; the broker must wait for a name (a MAC address may appear later).
      const message = `${noDeviceIdReason(this.config.agent.deviceIdDevice)}; not connecting to the broker, retrying in ${ID_RETRY_MS / 1000} s`;
      if (this.linkError?.code !== 'no_device_id') this.log.error(message);
      this.linkError = { code: 'no_device_id', message, at: this.runtime.now() };
      void this.reporter.request();
      this.idTimer = this.runtime.setTimeout(() => {
        this.idTimer = null;
        this.startLink();
      }, ID_RETRY_MS);
      return;
    }
    if (this.linkError?.code === 'no_device_id') {
      this.log.info(`device id ${id}`);
      this.linkError = null;
    }
    const topics = topicsFor(mqtt.topicPrefix, id);
    this.topics = topics;
    this.link = new RemoteLink(this.runtime, mqtt, id, topics, this.boot, this.log, {
      onConnected: () => {
        this.linkError = null;
        void this.reporter.request();
      },
      onLinkError: (error) => {
        this.linkError = { ...error, at: this.runtime.now() };
        void this.reporter.request();
      },
      onMessage: (kind, payload, size) => this.inbound.push({ kind, payload, size }),
    });
    this.link.start();
  }

  /** With a broker: says how remote control is taken, loudly when it is unsigned. */
  private warnRemoteControl(): void {
    if (!this.config.mqtt) return;
    const mode = remoteControl(this.claimsContext());
    if (mode === 'unsigned')
      this.log.warn(
        "agent.allow_unsigned '1' and no verify_key_file: unsigned remote control; anyone who can publish to this router's topics can switch the block off",
      );
    else if (mode === 'off')
      this.log.warn(
        'no agent.verify_key_file: desired states and commands from the broker are refused (no_verify_key)',
      );
  }

  private scheduleReport(): void {
    this.reportTimer = this.runtime.setTimeout(() => {
      void this.reporter.request();
      this.scheduleReport();
    }, this.config.agent.reportIntervalS * 1000);
  }

  private claimsContext(): ClaimsContext {
    return {
      deviceId: this.deviceId ?? '', // messages come only over a link, which needs an id
      keys: this.verifyKeys,
      allowUnsigned: this.config.agent.allowUnsigned,
      now: Math.floor(this.runtime.now() / 1000),
    };
  }

  private reply(document: unknown): Promise<boolean> {
    return (
      (this.topics && this.link?.publish(this.topics.reply, document, false)) ??
      Promise.resolve(false)
    );
  }

  private async onMessage({ kind, payload, size }: InboundMessage): Promise<void> {
    if (kind === 'desired') await this.onDesired(payload, size);
    else await this.onCommand(payload, size);
  }

  /** Answers a message the queue will not handle (a newer desired state came, or too many). */
  private async dropMessage({ kind }: InboundMessage, why: DropReason) {
    const message =
      why === 'busy'
        ? 'too many commands are waiting; try again later'
        : 'a newer desired state arrived before this one was handled';
    // Not verified, so nothing of it is echoed (docs/mqtt-contract.md: only authentic claims are).
    const error = { code: why, message };
    if (kind === 'desired') await this.reply(desiredReply(null, error));
    else await this.reply(commandReply(null, error));
  }

  private async onDesired(payload: Uint8Array, size: number): Promise<void> {
    let version: number;
    let body: Readonly<Record<string, unknown>>;
    try {
      // Size, signature, device, expiry and version: nothing expensive before they passed.
      const text = payloadText(payload, size);
      ({ version, body } = parseDesiredEnvelope(text, size, this.claimsContext()));
    } catch (error) {
      return this.refuseDesired(versionHint(error), error);
    }
    const current = this.desired;
    if (current && version < current.version) {
      const message = `version ${version} is older than the applied version ${current.version}; ignored`;
      this.log.warn(message);
      await this.reply(desiredReply(version, { code: 'stale_version', message }));
      return;
    }
    let desired: DesiredState;
    let effective: EffectivePolicy;
    try {
      desired = desiredFromObject(body);
      effective = this.effectiveFor(desired);
    } catch (error) {
      return this.refuseDesired(version, error);
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
      // Still on the last applied state: enforcement is unchanged.
      const object = this.fail(error, 'cannot store the desired state');
      await this.reply(desiredReply(desired.version, object));
      void this.reporter.request();
      return;
    }
    this.desired = desired;
    this.effective = effective;
    const enforced = await this.enforce();
    await this.reply(desiredReply(desired.version, enforced ? null : this.lastErrorObject()));
    void this.reporter.request();
  }

  private async refuseDesired(version: number | null, error: unknown): Promise<void> {
    const object = this.fail(error, 'desired state rejected');
    await this.reply(desiredReply(version, object));
    void this.reporter.request();
  }

  private async onCommand(payload: Uint8Array, size: number): Promise<void> {
    let command;
    try {
      const text = payloadText(payload, size);
      command = parseCommandMessage(text, size, this.claimsContext());
    } catch (error) {
      const object = this.fail(error, 'command rejected');
      await this.reply(commandReply(commandIdHint(error), object));
      return;
    }
    const seen = this.seen.check(command, Math.floor(this.runtime.now() / 1000));
    if (seen !== 'admitted') {
      const object =
        seen === 'replayed'
          ? { code: 'replayed', message: `command ${command.id} was already received` }
          : { code: 'busy', message: 'too many recent command ids are remembered; try later' };
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
      this.verifyKeys = loadVerifyKeys(this.runtime, config.agent.verifyKeyFile);
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
    this.warnRemoteControl();
    if (rewan) {
      this.wan?.stop();
      this.wan = this.wanTracker();
      this.forgetShared = true;
      await this.wan?.refresh();
      this.wan?.start();
    } else await this.wan?.resync(); // always: the listener may be deaf, events missed
    this.effective = this.effectiveFor(this.desired);
    if (rebackend) {
      const { backend, decision } = this.selectBackend();
      this.enforcer = new Enforcer(this.runtime, backend, decision, this.log);
      this.watch?.stop();
      this.startWatch();
    }
    await this.enforce();
    if (relink) {
      if (this.idTimer) this.runtime.clearTimeout(this.idTimer);
      this.idTimer = null;
      this.linkError = null;
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
    if (this.idTimer) this.runtime.clearTimeout(this.idTimer);
    await this.link?.stop();
    this.runtime.removeFile(`${this.config.agent.runDir}/${PID_FILE}`);
    this.runtime.removeFile(`${this.config.agent.runDir}/${STATUS_FILE}`);
    this.runtime.removeFile(`${this.config.agent.runDir}/${WAN_DEVICES_FILE}`);
    this.runtime.removeFile(`${this.config.agent.runDir}/${HELPERS_FILE}`);
    this.log.info('stopped; the rules stay in place');
    await this.logOutput.close();
  }
}

/** Not async: a bad config throws here, synchronously (see run-cli.ts). */
export function runDaemon(
  runtime: Runtime,
  configPath: string,
  options: DaemonOptions = {},
): Promise<number> {
  const daemon = new Daemon(runtime, configPath, options);
  return daemon.start().then(
    () =>
      new Promise<number>((resolve) => {
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          void daemon.stop().then(() => resolve(0));
        };
        runtime.onSignal('TERM', stop);
        runtime.onSignal('INT', stop);
        runtime.onSignal('HUP', () => void daemon.reload());
      }),
  );
}
