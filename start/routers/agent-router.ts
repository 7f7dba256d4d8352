// One simulated router that runs the real agent: the daemon (agent/daemon/run-daemon.ts) under the
// Node runtime, its own UCI config, state directory and device id, its MQTT client over socat to
// the broker, the portal's verification key, and in place of the router's own parts the simulated
// firewall and an in-process ubus. Only the firewall and ubus are simulated; everything the
// agent decides, signs off and reports is the agent's own code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDaemon } from '../../agent/daemon/run-daemon.ts';
import {
  createSimulatedBackend,
  SIMULATED_DECISION,
  type SimulatedFirewall,
} from '../../agent/firewall/simulated/backend.ts';
import { createNodeRuntime } from '../../agent/runtime/node/runtime.ts';
import type { Runtime, SignalName } from '../../agent/runtime/runtime.ts';
import { BlockedTraffic } from '../../sim/blocked-traffic.ts';
import { simulatedDevice } from '../../sim/device-identity.ts';
import type { Profile } from '../../sim/profiles.ts';
import type { Random } from '../../sim/random.ts';
import { createSimulatedUbus } from './simulated-ubus.ts';

/** The ISP's relays every router lets through on port 25. */
export const RELAYS = ['203.0.113.25', '2001:db8::25'];

export const SIMULATED_FIREWALL_ERROR =
  'nft -f failed: Error: Could not process rule: Operation not supported (simulated kernel without nft_reject)';

export interface AgentRouterSpec {
  readonly index: number;
  readonly id: string;
  readonly profile: Profile;
  /** mqtt://127.0.0.1:PORT: the broker, or the router's flaky line to it. */
  readonly broker: string;
  readonly verifyKeyFile: string;
  /** Persistent: the config and the state directory (the router's flash). */
  readonly routerDir: string;
  /** Wiped at every start, as a router's tmpfs is at boot. */
  readonly runDir: string;
  readonly reportIntervalS: number;
  readonly random: Random;
  /** One line of the agent's log (already prefixed with the router's id). */
  readonly log: (line: string) => void;
}

const quote = (value: string | number): string => `'${String(value).replace(/'/g, `'\\''`)}'`;

/** The router's /etc/config/op25b. Static-IP business customers were provisioned with the block off. */
export function routerConfig(spec: AgentRouterSpec): string {
  const lines = [
    "config policy 'policy'",
    `\toption enabled ${quote(spec.profile === 'static' ? 0 : 1)}`,
    ...RELAYS.map((relay) => `\tlist allow ${quote(relay)}`),
    `\tlist wan_interface 'wan'`,
    '',
    "config agent 'agent'",
    `\toption device_id ${quote(spec.id)}`,
    `\toption verify_key_file ${quote(spec.verifyKeyFile)}`,
    `\toption state_dir ${quote(join(spec.routerDir, 'state'))}`,
    `\toption run_dir ${quote(spec.runDir)}`,
    `\toption report_interval ${quote(spec.reportIntervalS)}`,
    `\toption verify_interval '30'`,
    `\toption ubus_probe_interval '600'`,
    `\toption log_target 'stderr'`,
    '',
    "config mqtt 'mqtt'",
    `\toption broker ${quote(spec.broker)}`,
    `\toption reconnect_min '2'`,
    `\toption reconnect_max '30'`,
    `\toption startup_delay '3'`,
    '',
  ];
  return lines.join('\n');
}

export class AgentRouter {
  readonly backend: SimulatedFirewall;
  private readonly signals = new Map<SignalName, () => void>();
  private running: Promise<number> | null = null;
  private readonly runtime: Runtime;

  constructor(private readonly spec: AgentRouterSpec) {
    let pending = '';
    const write = (text: string): void => {
      pending += text;
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        spec.log(`${spec.id} ${pending.slice(0, end)}`);
        pending = pending.slice(end + 1);
      }
    };
    this.runtime = {
      ...createNodeRuntime([]),
      writeStdout: write,
      writeStderr: write,
      // Each router has its own signals: the fleet's process hands them out.
      onSignal: (signal, handler) => void this.signals.set(signal, handler),
      exit: () => {
        throw new Error('a simulated router cannot end the fleet process');
      },
    };
    const hosts = spec.profile === 'infected' ? 1 + (spec.index % 3) : 0;
    this.backend = createSimulatedBackend(this.runtime, {
      traffic: new BlockedTraffic(hosts, spec.random, Date.now()),
    });
    if (spec.profile === 'error') this.backend.failApplies(SIMULATED_FIREWALL_ERROR);
  }

  get id(): string {
    return this.spec.id;
  }

  /** Writes the config and starts the daemon (which enforces first, then connects). */
  start(): void {
    const { spec } = this;
    mkdirSync(join(spec.routerDir, 'state'), { recursive: true });
    mkdirSync(spec.runDir, { recursive: true });
    const configPath = join(spec.routerDir, 'op25b');
    writeFileSync(configPath, routerConfig(spec));
    const device = simulatedDevice(spec.id, spec.index, spec.profile).report;
    const ubus = createSimulatedUbus(
      { model: device.model ?? '', board: device.board ?? '', release: device.release ?? '' },
      {
        proto: (device.wanProto as 'pppoe' | 'dhcp' | 'static' | undefined) ?? 'dhcp',
        ipv4: `${spec.profile === 'static' ? '203.0.113' : '198.51.100'}.${(spec.index % 200) + 30}`,
      },
    );
    this.running = runDaemon(this.runtime, configPath, {
      firewall: () => ({ backend: this.backend, decision: SIMULATED_DECISION }),
      ubus,
    });
    this.running.catch((error: unknown) => spec.log(`${spec.id} daemon failed: ${String(error)}`));
  }

  /** SIGTERM for this router alone: it says goodbye on MQTT and stops. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    // The daemon takes its signals once it enforces: a stop asked for earlier waits for that.
    for (let i = 0; i < 100 && !this.signals.has('TERM'); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    this.signals.get('TERM')?.();
    await running.catch(() => 1);
  }
}
