// The ISP's MQTT broker for the test bed: Debian's mosquitto, run inside the `wan` namespace on
// extra WAN-side addresses (never in the root namespace), with its own configuration, test
// certificates (CA, server, one client certificate per identity), a password file made with
// mosquitto_passwd and an ACL that confines each router to its own topics.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHILD_ENV, execOk, spawnIn } from './exec.ts';
import { HOST_DEVICE } from './plan.ts';
import { makeCa, makeLeaf } from '../mqtt/certificates.ts';

/** The broker's addresses on the WAN link (the ISP's network), inside the plan's ranges. */
export const BROKER_ADDRESS = { ipv4: '203.0.113.10', ipv6: '2001:db8:ff::10' } as const;
/** Plain MQTT (password only): the ISP's tools and the ACL checks. */
export const PLAIN_PORT = 1883;
/** MQTT over TLS with client certificates (and passwords): the routers. */
export const TLS_PORT = 8883;

const READY_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 3000;

/** One MQTT account: a password and a client certificate (CN = user). */
export interface BrokerIdentity {
  readonly user: string;
  readonly password: string;
  /** A file holding just the password (what the agent's mqtt.password_file reads). */
  readonly passwordFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface BrokerFiles {
  readonly dir: string;
  readonly topicPrefix: string;
  readonly caFile: string;
  /** The ISP's account: reads and writes everything under the prefix. */
  readonly isp: BrokerIdentity;
  /** One account per router, named by device id. */
  readonly routers: Readonly<Record<string, BrokerIdentity>>;
  readonly aclFile: string;
  readonly passwdFile: string;
}

/** The ACL: the ISP may do anything under the prefix; a router only its own five topics. */
export function aclText(prefix: string, ispUser: string, routers: readonly string[]): string {
  const lines = [`user ${ispUser}`, `topic readwrite ${prefix}/#`, ''];
  for (const id of routers)
    lines.push(
      `user ${id}`,
      `topic read ${prefix}/${id}/desired`,
      `topic read ${prefix}/${id}/cmd`,
      `topic write ${prefix}/${id}/state`,
      `topic write ${prefix}/${id}/status`,
      `topic write ${prefix}/${id}/reply`,
      '',
    );
  return lines.join('\n');
}

/**
 * Writes everything the broker and its clients need into `dir` (created if missing):
 * certificates, password file, ACL. Router accounts are named by device id.
 */
export function makeBrokerFiles(
  dir: string,
  options: { topicPrefix: string; routers: readonly string[]; ispUser?: string },
): BrokerFiles {
  mkdirSync(dir, { recursive: true });
  makeCa(dir, 'ca', 'op25b test ISP CA');
  const san = `IP:${BROKER_ADDRESS.ipv4},IP:${BROKER_ADDRESS.ipv6}`;
  makeLeaf(dir, 'server', 'ca', san, 'serverAuth', 'op25b test broker');
  const passwdFile = join(dir, 'passwd');
  writeFileSync(passwdFile, '');
  const identity = (user: string): BrokerIdentity => {
    const password = `pw-${user}-${Math.random().toString(36).slice(2, 10)}`;
    execFileSync('mosquitto_passwd', ['-b', passwdFile, user, password], { env: CHILD_ENV });
    const passwordFile = join(dir, `${user}.password`);
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    makeLeaf(dir, `client-${user}`, 'ca', `DNS:${user}.routers.invalid`, 'clientAuth', user);
    return {
      user,
      password,
      passwordFile,
      certFile: join(dir, `client-${user}.crt`),
      keyFile: join(dir, `client-${user}.key`),
    };
  };
  const ispUser = options.ispUser ?? 'isp';
  const isp = identity(ispUser);
  const routers = Object.fromEntries(options.routers.map((id) => [id, identity(id)]));
  const aclFile = join(dir, 'acl');
  writeFileSync(aclFile, aclText(options.topicPrefix, ispUser, options.routers));
  return {
    dir,
    topicPrefix: options.topicPrefix,
    caFile: join(dir, 'ca.crt'),
    isp,
    routers,
    aclFile,
    passwdFile,
  };
}

/** Adds the broker's addresses to the WAN host's interface (inside `wanNs`). */
export async function addBrokerAddresses(wanNs: string): Promise<void> {
  await execOk(wanNs, ['ip', 'addr', 'add', `${BROKER_ADDRESS.ipv4}/24`, 'dev', HOST_DEVICE]);
  await execOk(wanNs, [
    'ip',
    'addr',
    'add',
    `${BROKER_ADDRESS.ipv6}/64`,
    'dev',
    HOST_DEVICE,
    'nodad',
  ]);
}

export interface BrokerListeners {
  /** The routers' TLS listener (default true). */
  readonly tls?: boolean;
  /** The plain listener for the ISP's tools (default true). */
  readonly plain?: boolean;
}

export interface Broker {
  readonly pid: number;
  /** Everything mosquitto logged so far (this run and earlier runs from the same files). */
  log(): string;
  running(): boolean;
  /** SIGTERM (mosquitto then saves its retained messages), SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL: a crash; nothing is saved. */
  kill(): Promise<void>;
}

function listenerBlock(port: number, address: string, files: BrokerFiles, tls: boolean): string {
  const lines = [`listener ${port} ${address}`];
  if (tls)
    lines.push(
      `cafile ${files.caFile}`,
      `certfile ${join(files.dir, 'server.crt')}`,
      `keyfile ${join(files.dir, 'server.key')}`,
      'require_certificate true',
      'tls_version tlsv1.2',
    );
  return lines.join('\n');
}

/**
 * Starts mosquitto in `wanNs` with a configuration of its own in files.dir, and resolves once
 * every listener is open. Retained messages persist in files.dir across a stop() and a restart.
 */
export async function startBroker(
  wanNs: string,
  files: BrokerFiles,
  listeners: BrokerListeners = {},
): Promise<Broker> {
  const logFile = join(files.dir, 'mosquitto.log');
  const configFile = join(files.dir, 'mosquitto.conf');
  const blocks: string[] = [];
  if (listeners.plain ?? true)
    blocks.push(listenerBlock(PLAIN_PORT, BROKER_ADDRESS.ipv4, files, false));
  if (listeners.tls ?? true)
    for (const address of [BROKER_ADDRESS.ipv4, BROKER_ADDRESS.ipv6])
      blocks.push(listenerBlock(TLS_PORT, address, files, true));
  if (blocks.length === 0) throw new Error('startBroker: no listener');
  writeFileSync(
    configFile,
    [
      // As root, mosquitto would switch to user "mosquitto", who cannot read this directory.
      'user root',
      `log_dest file ${logFile}`,
      'log_type all',
      'connection_messages true',
      'persistence true',
      `persistence_location ${files.dir}/`,
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${files.passwdFile}`,
      `acl_file ${files.aclFile}`,
      ...blocks,
      '',
    ].join('\n'),
  );
  const before = existsSync(logFile) ? readFileSync(logFile, 'utf8').length : 0;
  const child = spawnIn(wanNs, ['mosquitto', '-c', configFile]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (!running()) return;
    child.kill(signal);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
    await Promise.race([exited, timer]);
    if (running()) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const broker: Broker = {
    pid: child.pid ?? -1,
    log,
    running,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
  const wanted = blocks.length;
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const text = log().slice(before);
    const opened = (text.match(/listen socket on port/g) ?? []).length;
    if (opened >= wanted && / running$/m.test(text)) return broker;
    if (!running() || performance.now() > deadline) {
      await broker.kill();
      throw new Error(`mosquitto did not start: ${stderr.trim()}\n${text.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
