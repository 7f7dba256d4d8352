// The daemon's parts wired together: the config, the log, the firewall (enforcer.ts), the WAN
// devices (wan-policy.ts), the repair loop (repair-loop.ts), the broker (device-link.ts), the
// ISP's messages (control-messages.ts) and the status (status-reporter.ts); and what start,
// reload (SIGHUP) and stop (SIGTERM) do with them. Signals are run-daemon.ts's.
import { describe } from '../cli/commands.ts';
import type { AgentConfig } from '../config/agent-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { selectBackend, type SelectedBackend } from '../firewall/select-backend.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { procdOutput, stderrOutput, syslogOutput, type LogOutput } from '../log/syslog-sink.ts';
import { boardReport } from '../openwrt/system-board.ts';
import { createUbus, type Ubus } from '../openwrt/ubus.ts';
import type { EffectivePolicy } from '../policy/effective-policy.ts';
import { remoteControl, type ClaimsContext } from '../remote/claims.ts';
import { SeenCommands } from '../remote/command.ts';
import type { DesiredState } from '../remote/desired-state.ts';
import { errorObject, type ErrorObject } from '../remote/messages.ts';
import type { VerifyKeys } from '../remote/public-key.ts';
import type { Runtime, Timer } from '../runtime/runtime.ts';
import { tieChildren, type TiedChildren } from '../runtime/tied-children.ts';
import { statusReport, type DeviceReport, type ErrorReport } from '../status/status-report.ts';
import type { ControlHost } from './control-host.ts';
import { controlQueue } from './control-messages.ts';
import { loadDesired, removeLeftovers } from './desired-store.ts';
import { DeviceLink } from './device-link.ts';
import { Enforcer } from './enforcer.ts';
import { HELPERS_FILE, PID_FILE, STATUS_FILE, WAN_DEVICES_FILE } from './run-files.ts';
import { startRepairs } from './repair-loop.ts';
import type { RuleWatch } from './rule-watch.ts';
import { ownPid, randomId } from './run-identity.ts';
import { StatusReporter } from './status-reporter.ts';
import { loadVerifyKeys } from './verify-key-file.ts';
import { wanConfig, WanPolicy } from './wan-policy.ts';

const STATUS_MIN_INTERVAL_MS = 1000;

/** What Node code may put in place of the router's own programs; routers never pass any. */
export interface DaemonOptions {
  /** The firewall instead of the probed nft/iptables one (the simulated routers of npm start). */
  readonly firewall?: (runtime: Runtime) => SelectedBackend;
  /** Instead of the `ubus` program: the same calls and replies, in process. */
  readonly ubus?: Ubus;
}

export class Daemon implements ControlHost {
  /** The runtime whose long-running children are recorded in the run directory. */
  readonly runtime: Runtime;
  private readonly helpers: TiedChildren;
  config: AgentConfig;
  private readonly logOutput: LogOutput;
  readonly log: Logger;
  private readonly ubus: Ubus | null;
  readonly wan: WanPolicy;
  private board: Omit<DeviceReport, 'id'> | null = null;
  private readonly boot: string;
  private readonly startedAt: number;
  private readonly link: DeviceLink;
  private verifyKeys: VerifyKeys | null;
  desired: DesiredState | null = null;
  effective: EffectivePolicy;
  enforcer: Enforcer;
  private lastError: ErrorReport | null = null;
  private watch: RuleWatch | null = null;
  readonly seen = new SeenCommands();
  private readonly inbound = controlQueue(this);
  readonly reporter: StatusReporter;
  private reportTimer: Timer | null = null;

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
    this.link = new DeviceLink(
      runtime,
      () => this.config,
      this.boot,
      this.log,
      () => void this.reporter.request(),
      (kind, payload, size) => this.inbound.push({ kind, payload, size }),
    );
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
    this.wan = new WanPolicy(
      runtime,
      this.ubus,
      this.log,
      () => this.config,
      () => {
        void this.wanChanged();
      },
    );
    this.effective = this.wan.effectiveFor(this.desired);
    const { backend, decision } = this.selectBackend();
    this.enforcer = new Enforcer(runtime, backend, decision, this.log);
    this.reporter = new StatusReporter({
      runtime,
      minIntervalMs: STATUS_MIN_INTERVAL_MS,
      build: () => this.statusDocument(),
      store: (text) => this.storeStatus(text),
      publish: (document) => this.link.publish('status', document, true),
    });
  }

  private selectBackend(): SelectedBackend {
    return (
      this.options.firewall?.(this.runtime) ?? selectBackend(this.runtime, this.config.firewall)
    );
  }

  lastErrorObject(): ErrorObject {
    const error = this.lastError ?? { code: 'internal', message: 'unknown failure' };
    return { code: error.code, message: error.message };
  }

  private async wanChanged(): Promise<void> {
    const before = this.effective.policy.wanDevices.join();
    this.effective = this.wan.effectiveFor(this.desired);
    if (this.effective.policy.wanDevices.join() !== before) await this.enforce();
    void this.reporter.request();
  }

  fail(error: unknown, context: string): ErrorObject {
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
    const wanProto = this.wan.tracker?.proto();
    return statusReport({
      effective: this.effective,
      enforcement: this.enforcer.enforcement,
      counters,
      device: { id: this.link.deviceId, ...this.board, ...(wanProto && { wanProto }) },
      agent: {
        runtime: this.runtime.name,
        boot: this.boot,
        startedAt: this.startedAt,
        daemon: true,
        ...(this.config.mqtt && { remoteControl: remoteControl(this.claimsContext()) }),
      },
      lastError: this.lastError ?? this.link.error,
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

  async enforce(force = false): Promise<boolean> {
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
    await this.wan.tracker?.refresh();
    const { runDir } = this.config.agent;
    this.runtime.makeDirectory(runDir);
    this.runtime.writeTextAtomic(`${runDir}/${PID_FILE}`, `${ownPid(this.runtime)}\n`);
    const leftovers = await this.helpers.killLeftovers();
    if (leftovers.length > 0)
      this.log.info(`ended helpers an earlier run left behind: pids ${leftovers.join(', ')}`);
    this.effective = this.wan.effectiveFor(this.desired);
    await this.enforce();
    this.wan.tracker?.start();
    this.watch = startRepairs(this);
    this.warnRemoteControl();
    this.link.start();
    this.scheduleReport();
    void this.reporter.request();
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

  claimsContext(): ClaimsContext {
    return {
      deviceId: this.link.deviceId ?? '', // messages come only over a link, which needs an id
      keys: this.verifyKeys,
      allowUnsigned: this.config.agent.allowUnsigned,
      now: Math.floor(this.runtime.now() / 1000),
    };
  }

  reply(document: unknown): Promise<boolean> {
    return this.link.publish('reply', document, false);
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
    if (rewan) await this.wan.renew();
    else await this.wan.tracker?.resync(); // always: the listener may be deaf, events missed
    this.effective = this.wan.effectiveFor(this.desired);
    if (rebackend) {
      const { backend, decision } = this.selectBackend();
      this.enforcer = new Enforcer(this.runtime, backend, decision, this.log);
      this.watch?.stop();
      this.watch = startRepairs(this);
    }
    await this.enforce();
    if (relink) await this.link.restart();
    this.log.info('config reloaded');
    void this.reporter.request();
  }

  /** SIGTERM: say goodbye and stop. The rules stay in the kernel. */
  async stop(): Promise<void> {
    this.watch?.stop();
    this.wan.tracker?.stop();
    this.reporter.cancel();
    if (this.reportTimer) this.runtime.clearTimeout(this.reportTimer);
    await this.link.stop();
    const { runDir } = this.config.agent;
    for (const file of [PID_FILE, STATUS_FILE, WAN_DEVICES_FILE, HELPERS_FILE])
      this.runtime.removeFile(`${runDir}/${file}`);
    this.log.info('stopped; the rules stay in place');
    await this.logOutput.close();
  }
}
