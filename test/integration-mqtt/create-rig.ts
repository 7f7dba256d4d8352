// The MQTT integration rig: a test bed (lan1, lan2, router, wan namespaces), the ISP's mosquitto
// inside `wan` on 203.0.113.10 / 2001:db8:ff::10, an ISP client (MQTT.js in `wan`) subscribed to
// every router topic, and the agent's daemon in `router`, configured per test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import {
  addBrokerAddresses,
  AGENT_BUNDLE,
  BROKER_ADDRESS,
  checkAgentBuilt,
  createTestbed,
  daemonUci,
  exec,
  makeBrokerFiles,
  PLAIN_PORT,
  QJS,
  startBroker,
  startDaemon,
  startMqttClient,
  TLS_PORT,
  type BackendSetting,
  type Broker,
  type BrokerFiles,
  type BrokerListeners,
  type DaemonConfig,
  type ExecResult,
  type PolicyConfig,
  type RunningDaemon,
  type TestMqttClient,
  type Testbed,
  type UciOptions,
} from '../testbed/index.ts';
import { standardPolicy } from '../integration/support.ts';
import { OTHER_ROUTER, PREFIX, ROUTER } from './topics.ts';
import { WAIT_MS } from './waits.ts';

/** Small keepalive in tests: a dead link is noticed after 1.5 x this. */
export const KEEPALIVE_S = 5;

export interface Agent {
  readonly id: string;
  readonly configPath: string;
  readonly daemon: RunningDaemon;
  readonly stateDir: string;
  readonly runDir: string;
  /** Rewrites the config file (for SIGHUP). */
  rewrite(config: DaemonConfig | string): void;
}

export interface RigOptions {
  readonly backend: BackendSetting;
  /** Router identities with broker accounts (default: ROUTER and OTHER_ROUTER). */
  readonly routers?: readonly string[];
}

export interface Rig {
  readonly bed: Testbed;
  readonly dir: string;
  readonly files: BrokerFiles;
  readonly broker: Broker;
  /** The ISP's client, subscribed to `${PREFIX}/#`. */
  readonly isp: TestMqttClient;
  readonly backend: BackendSetting;
  /** Stops the broker (SIGTERM, retained messages saved) or kills it (SIGKILL). */
  stopBroker(kill?: boolean): Promise<void>;
  startBroker(listeners?: BrokerListeners): Promise<void>;
  /** Reconnects the ISP client (after a broker restart) and subscribes again. */
  reconnectIsp(): Promise<void>;
  /** The daemon config for router `id` (policy from the backend setting, TLS link). */
  config(id?: string, overrides?: ConfigOverrides): DaemonConfig;
  /** Writes the config and starts the daemon; waits for MQTT unless `waitConnected` is false. */
  startAgent(config: DaemonConfig, options?: { waitConnected?: boolean }): Promise<Agent>;
  /** Runs a one-shot CLI command of the agent in the router namespace. */
  cli(args: readonly string[]): Promise<ExecResult>;
  destroy(): Promise<void>;
}

export interface ConfigOverrides {
  readonly policy?: PolicyConfig;
  readonly agent?: UciOptions;
  readonly mqtt?: UciOptions;
  /** Directory for state_dir and run_dir (default: a fresh one per router and call). */
  readonly home?: string;
}

let homes = 0;

// Temporary directories of rigs not destroyed yet: removed whatever way the process ends.
const liveDirs = new Set<string>();
process.on('exit', () => {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});

export async function createRig(options: RigOptions): Promise<Rig> {
  checkAgentBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'op25b-mqtt-it-'));
  liveDirs.add(dir);
  const agents: Agent[] = [];
  let bed: Testbed | null = null;
  let broker: Broker | null = null;
  let isp: TestMqttClient | null = null;
  const cleanup = async (): Promise<void> => {
    for (const agent of agents) await agent.daemon.kill();
    isp?.close();
    await broker?.kill();
    if (bed) await bed.destroy();
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };
  try {
    bed = await createTestbed();
    await bed.installBaseline(options.backend);
    await addBrokerAddresses(bed.ns.wan);
    const files = makeBrokerFiles(join(dir, 'broker'), {
      topicPrefix: PREFIX,
      routers: options.routers ?? [ROUTER, OTHER_ROUTER],
    });
    broker = await startBroker(bed.ns.wan, files);
    isp = startMqttClient(bed.ns.wan);
    const theBed = bed;
    const theIsp = isp;

    const reconnectIsp = async (): Promise<void> => {
      const connected = await theIsp.connect(`mqtt://${BROKER_ADDRESS.ipv4}:${PLAIN_PORT}`, {
        clientId: `isp-${Math.random().toString(36).slice(2, 8)}`,
        username: files.isp.user,
        password: files.isp.password,
        protocolVersion: 5,
      });
      assert.ok(connected.ok, `ISP client: ${JSON.stringify(connected)}`);
      const subscribed = await theIsp.subscribe(`${PREFIX}/#`);
      assert.ok(subscribed.ok, `ISP subscribe: ${JSON.stringify(subscribed)}`);
    };
    await reconnectIsp();

    const config = (id = ROUTER, overrides: ConfigOverrides = {}): DaemonConfig => {
      const identity = files.routers[id];
      if (!identity) throw new Error(`no broker account for ${id}`);
      const home = overrides.home ?? join(dir, `${id}-${++homes}`);
      return {
        policy: standardPolicy(options.backend, { action: 'reject', ...overrides.policy }),
        agent: {
          device_id: id,
          state_dir: join(home, 'state'),
          run_dir: join(home, 'run'),
          report_interval: 10,
          log_level: 'info',
          // These tests drive routers with plain JSON unless they give a key (signed.test.ts).
          allow_unsigned: overrides.agent?.verify_key_file === undefined ? 1 : undefined,
          ...overrides.agent,
        },
        mqtt: {
          broker: `mqtts://${BROKER_ADDRESS.ipv4}:${TLS_PORT}`,
          username: identity.user,
          password_file: identity.passwordFile,
          ca_file: files.caFile,
          cert_file: identity.certFile,
          key_file: identity.keyFile,
          keepalive: KEEPALIVE_S,
          reconnect_min: 1,
          reconnect_max: 2,
          startup_delay: 0,
          ...overrides.mqtt,
        },
      };
    };

    let configs = 0;
    const startAgent = async (
      daemonConfig: DaemonConfig,
      startOptions: { waitConnected?: boolean } = {},
    ): Promise<Agent> => {
      const configPath = join(dir, `agent-${++configs}.uci`);
      writeFileSync(configPath, daemonUci(daemonConfig));
      const daemon = startDaemon(theBed.ns.router, configPath);
      const agent: Agent = {
        id: String(daemonConfig.agent.device_id),
        configPath,
        daemon,
        stateDir: String(daemonConfig.agent.state_dir),
        runDir: String(daemonConfig.agent.run_dir),
        rewrite: (next) =>
          writeFileSync(configPath, typeof next === 'string' ? next : daemonUci(next)),
      };
      agents.push(agent);
      if (startOptions.waitConnected ?? true) await daemon.waitLog(/MQTT: connected to /, WAIT_MS);
      return agent;
    };

    const rig: Rig = {
      bed: theBed,
      dir,
      files,
      get broker() {
        return broker!;
      },
      isp: theIsp,
      backend: options.backend,
      stopBroker: async (kill = false) => {
        if (kill) await broker?.kill();
        else await broker?.stop();
      },
      startBroker: async (listeners) => {
        if (broker?.running()) throw new Error('the broker is running already');
        broker = await startBroker(theBed.ns.wan, files, listeners);
      },
      reconnectIsp,
      config,
      startAgent,
      cli: (args) => exec(theBed.ns.router, [QJS, AGENT_BUNDLE, ...args], { timeoutMs: 15_000 }),
      destroy: cleanup,
    };
    return rig;
  } catch (error) {
    await cleanup().catch(() => {});
    throw error;
  }
}
