// The MQTT integration rig: a test bed (lan1, lan2, router, wan namespaces), the ISP's mosquitto
// inside `wan` on 203.0.113.10 / 2001:db8:ff::10, an ISP client (MQTT.js in `wan`) subscribed to
// every router topic, and the agent's daemon in `router`, configured per test.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  PLAN,
  QJS,
  SMTP_PORT,
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
  type MqttMessage,
  type PolicyConfig,
  type RulesetSnapshot,
  type RunningDaemon,
  type TestMqttClient,
  type Testbed,
  type UciOptions,
} from '../testbed/index.ts';
import {
  allowedRows,
  blockedRows,
  expectTraffic,
  standardPolicy,
  type Expectation,
} from '../integration/support.ts';

export const PREFIX = 'op25b/v1';
/** The router under test and a second identity for the ACL checks. */
export const ROUTER = 'router-a';
export const OTHER_ROUTER = 'router-b';
/** Small keepalive in tests: a dead link is noticed after 1.5 x this. */
export const KEEPALIVE_S = 5;
/** Default bound of every wait for the agent. */
export const WAIT_MS = 5000;

export interface Topics {
  readonly state: string;
  readonly status: string;
  readonly desired: string;
  readonly cmd: string;
  readonly reply: string;
}

export function topics(id: string): Topics {
  const base = `${PREFIX}/${id}`;
  return {
    state: `${base}/state`,
    status: `${base}/status`,
    desired: `${base}/desired`,
    cmd: `${base}/cmd`,
    reply: `${base}/reply`,
  };
}

export const T = topics(ROUTER);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns something other than undefined; fails after `timeoutMs`. */
export async function waitUntil<V>(
  what: string,
  check: () => V | undefined | Promise<V | undefined>,
  timeoutMs = WAIT_MS,
  everyMs = 50,
): Promise<V> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await sleep(everyMs);
  }
}

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

// ---- what the agent says ------------------------------------------------------------------

export interface Reply {
  readonly version?: number | null;
  readonly id?: string | null;
  readonly ok: boolean;
  readonly error?: { readonly code: string; readonly message: string };
  readonly note?: string;
  readonly result?: Record<string, unknown>;
}

export interface PresenceMessage {
  readonly online: boolean;
  readonly boot: string;
  readonly [key: string]: unknown;
}

export interface StatusDocument {
  readonly policy: {
    readonly enabled: boolean;
    readonly version: number;
    readonly source: string;
    readonly action: string;
    readonly ports: number[];
    readonly wan_devices: string[];
  };
  readonly enforcement: {
    readonly applied: boolean;
    readonly backend: string;
    readonly verified_at: string | null;
    readonly drift: string[];
    readonly repairs: number;
    readonly last_repair: { readonly at: string; readonly drift: string[] } | null;
  };
  readonly counters: {
    readonly blocked_packets: number;
    readonly top_sources: { readonly address: string; readonly attempts: number }[];
  };
  readonly device: { readonly id: string };
  readonly agent: {
    readonly boot: string | null;
    readonly daemon: boolean;
    readonly remote_control?: string;
  };
  readonly last_error: { readonly code: string; readonly message: string } | null;
}

export function parse<V>(message: MqttMessage): V {
  return JSON.parse(message.payload) as V;
}

/** Publishes on a router's desired/cmd topic and waits for the reply that follows it. */
export async function request(
  rig: Rig,
  topic: string,
  payload: string,
  options: { retain?: boolean; id?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  const replyTopic = topic.replace(/\/(desired|cmd)$/, '/reply');
  const from = rig.isp.messages.length;
  const published = await rig.isp.publish(topic, payload, { retain: options.retain ?? false });
  assert.ok(published.ok, `publish to ${topic}: ${JSON.stringify(published)}`);
  const message = await rig.isp.waitMessage(
    (m) => m.topic === replyTopic,
    options.timeoutMs ?? WAIT_MS,
    from,
    `a reply on ${replyTopic} to ${payload.slice(0, 120)}`,
  );
  return parse<Reply>(message);
}

/** The next presence message on the router's state topic after index `from`. */
export async function nextPresence(
  rig: Rig,
  from: number,
  match: (p: PresenceMessage) => boolean,
  timeoutMs = WAIT_MS,
  id = ROUTER,
): Promise<PresenceMessage> {
  const message = await rig.isp.waitMessage(
    (m) => m.topic === topics(id).state && match(parse<PresenceMessage>(m)),
    timeoutMs,
    from,
    `a presence message on ${topics(id).state}`,
  );
  return parse<PresenceMessage>(message);
}

/** The next status document published after index `from` that satisfies `match`. */
export async function nextStatus(
  rig: Rig,
  from: number,
  match: (s: StatusDocument) => boolean,
  timeoutMs = WAIT_MS,
  id = ROUTER,
): Promise<StatusDocument> {
  const message = await rig.isp.waitMessage(
    (m) => m.topic === topics(id).status && match(parse<StatusDocument>(m)),
    timeoutMs,
    from,
    `a matching status on ${topics(id).status}`,
  );
  return parse<StatusDocument>(message);
}

/** What a fresh subscriber gets as the retained message of `topic` (null: none). */
export async function retainedOf(rig: Rig, topic: string): Promise<string | null> {
  const client = startMqttClient(rig.bed.ns.wan);
  try {
    const connected = await client.connect(`mqtt://${BROKER_ADDRESS.ipv4}:${PLAIN_PORT}`, {
      clientId: `peek-${Math.random().toString(36).slice(2, 8)}`,
      username: rig.files.isp.user,
      password: rig.files.isp.password,
    });
    assert.ok(connected.ok, `peek client: ${JSON.stringify(connected)}`);
    const subscribed = await client.subscribe(topic);
    assert.ok(subscribed.ok, `peek subscribe: ${JSON.stringify(subscribed)}`);
    const message = await client
      .waitMessage((m) => m.topic === topic && m.retain, 1000, 0, `retained ${topic}`)
      .catch(() => null);
    return message?.payload ?? null;
  } finally {
    client.close();
  }
}

// ---- what the kernel and the disk hold -----------------------------------------------------

/** The stored desired state (text), or null when the file does not exist. */
export function desiredFile(agent: Agent): string | null {
  const path = join(agent.stateDir, 'desired.json');
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** Text and modification time of the stored desired state, to prove it was not rewritten. */
export function desiredFileStamp(agent: Agent): string {
  const path = join(agent.stateDir, 'desired.json');
  if (!existsSync(path)) return 'missing';
  return `${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`;
}

/**
 * The ruleset without what traffic changes: the values of nft's named counter objects and the
 * elements of the dynamic per-source sets (the test bed's snapshot keeps both).
 */
export function normalizeNft(text: string): string {
  const out: string[] = [];
  let inSourceSet = false;
  let inElements = false;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (/^set sources_/.test(trimmed)) inSourceSet = true;
    else if (inSourceSet && trimmed === '}' && !inElements) inSourceSet = false;
    if (inSourceSet && trimmed.startsWith('elements = {')) inElements = true;
    if (inElements) {
      if (trimmed.endsWith('}')) inElements = false;
      continue;
    }
    if (/^packets \d+ bytes \d+$/.test(trimmed)) continue;
    out.push(line);
  }
  return out.join('\n');
}

export function comparable(snapshot: RulesetSnapshot): RulesetSnapshot {
  return { ...snapshot, nft: normalizeNft(snapshot.nft) };
}

export function expectSameRuleset(want: RulesetSnapshot, have: RulesetSnapshot, what: string) {
  const a = comparable(want);
  const b = comparable(have);
  const keys = Object.keys(a) as (keyof RulesetSnapshot)[];
  const diff = keys
    .filter((k) => a[k] !== b[k])
    .map((k) => `--- ${k} before:\n${a[k]}\n--- ${k} after:\n${b[k]}`)
    .join('\n');
  assert.ok(diff === '', `${what}: ruleset changed\n${diff}`);
}

/** The agent's own table (nftables) or chains (iptables) are in the kernel. */
export function agentRulesPresent(snapshot: RulesetSnapshot): boolean {
  return /table inet op25b/.test(snapshot.nft) || /OP25B/.test(snapshot['iptables-legacy']);
}

export const FOREIGN = PLAN.wan.foreign;
export const RELAY = PLAN.wan.relay;

/**
 * Real connections through the router: with the block on (reject), port 25 to a foreign host
 * is refused from both LANs and the router itself, in both families; relays, submission ports
 * and LAN-to-LAN traffic pass. With the block off everything connects.
 */
export async function expectBlock(rig: Rig, on: boolean, ports: readonly number[] = [SMTP_PORT]) {
  const extra = ports.filter((p) => p !== SMTP_PORT);
  const allowed = allowedRows().filter(
    (row) => !(on && extra.includes(row.port) && row.host.endsWith('99')),
  );
  const blockedExtra: Expectation[] = on
    ? extra.flatMap((port) =>
        (['lan1', 'router'] as const).map((from) => ({
          label: `${from} -> foreign:${port} (ipv4)`,
          from,
          host: FOREIGN.ipv4,
          port,
          expect: 'refused' as const,
        })),
      )
    : [];
  await expectTraffic(rig.bed, [
    ...blockedRows(on ? 'refused' : 'connected'),
    ...allowed,
    ...blockedExtra,
  ]);
}
