// The daemon's budgets for `npm run bench`, run inside the bench's network namespace: a mosquitto
// on 127.0.0.1 there, the agent's `run` under qjs connected to it, and an MQTT.js client in this
// process (so in the same namespace) playing the ISP. Every process started here is stopped here.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';

const PORT = 18830;
const DEVICE = 'bench-cpe';
const TOPICS = `op25b/v1/${DEVICE}`;
const IDLE_MS = 5000;
const WARMUP_TOGGLES = 10;
const TOGGLES = 200;
const RESTORES = 10;
const RESTORE_DEADLINE_MS = 5000;
const REPLY_TIMEOUT_MS = 10_000;

export interface DaemonBenchOptions {
  readonly dir: string;
  readonly qjs: string;
  readonly bundle: string;
  readonly line: (name: string, value: string) => void;
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tableExists(): boolean {
  return spawnSync('nft', ['list', 'table', 'inet', 'op25b'], { stdio: 'ignore' }).status === 0;
}

function daemonConfig(dir: string): string {
  return [
    "config policy 'policy'",
    "\toption backend 'nftables'",
    "\toption action 'reject'",
    "\tlist allow '203.0.113.25'",
    "\tlist wan_device 'wan'",
    '',
    "config agent 'agent'",
    `\toption device_id '${DEVICE}'`,
    `\toption state_dir '${dir}/state'`,
    `\toption run_dir '${dir}/run'`,
    "\toption log_level 'warn'",
    // The toggle latency measured here is of plain JSON desired states.
    "\toption allow_unsigned '1'",
    '',
    "config mqtt 'mqtt'",
    `\toption broker 'mqtt://127.0.0.1:${PORT}'`,
    "\toption startup_delay '0'",
    '',
  ].join('\n');
}

/** Messages on the router's topics, with waiters for the next one that matches. */
class Inbox {
  private waiters: { match: (topic: string, doc: any) => boolean; resolve: (doc: any) => void }[] =
    [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload) => {
      if (payload.length === 0) return;
      const doc = JSON.parse(payload.toString('utf8'));
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(topic, doc)) return true;
        w.resolve(doc);
        return false;
      });
    });
  }

  next(what: string, match: (topic: string, doc: any) => boolean, timeoutMs: number): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (doc) => {
          clearTimeout(timer);
          resolve(doc);
        },
      });
    });
  }
}

function vmKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

async function stop(child: ChildProcess, name: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    process.stderr.write(`bench: ${name} ignored SIGTERM, killing it\n`);
    child.kill('SIGKILL');
  }, 5000);
  await exited;
  clearTimeout(timer);
}

export async function daemonBench({ dir, qjs, bundle, line }: DaemonBenchOptions): Promise<void> {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const brokerConf = join(dir, 'mosquitto.conf');
  // set_tcp_nodelay: without it mosquitto's Nagle holds a PUBLISH to the router until the
  // router's delayed ACK of the previous segment (about +35 ms per toggle here); the contract
  // asks ISPs to turn it on (docs/mqtt-contract.md).
  writeFileSync(
    brokerConf,
    `listener ${PORT} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\nset_tcp_nodelay true\n`,
  );
  const broker = spawn('mosquitto', ['-c', brokerConf], { stdio: 'ignore' });
  let daemon: ChildProcess | null = null;
  let client: MqttClient | null = null;
  let daemonLog = '';
  try {
    client = await connectClient();
    const inbox = new Inbox(client);
    await client.subscribeAsync(`${TOPICS}/#`, { qos: 1 });

    const configPath = join(dir, 'daemon.conf');
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(configPath, daemonConfig(dir));
    const online = inbox.next('state online', (t, d) => t.endsWith('/state') && d.online, 10_000);
    const firstStatus = inbox.next('first status', (t) => t.endsWith('/status'), 10_000);
    daemon = spawn(qjs, [bundle, 'run', '--config', configPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    daemon.stderr!.on('data', (chunk: Buffer) => (daemonLog += chunk.toString()));
    await online;
    await firstStatus;
    await sleep(IDLE_MS);
    line('daemon idle peak RSS (VmHWM), connected', `${vmKb(daemon.pid!, 'VmHWM')} KB`);
    line('daemon idle RSS (VmRSS), connected', `${vmKb(daemon.pid!, 'VmRSS')} KB`);

    // Desired-state toggles: publish (retained, QoS 1) -> stored, kernel applied -> reply.
    let version = Math.floor(Date.now() / 1000);
    const toggle = async (enabled: boolean): Promise<number> => {
      version += 1;
      const v = version;
      const reply = inbox.next(
        `reply to version ${v}`,
        (t, d) => t.endsWith('/reply') && d.version === v,
        REPLY_TIMEOUT_MS,
      );
      const start = performance.now();
      await client!.publishAsync(`${TOPICS}/desired`, JSON.stringify({ version: v, enabled }), {
        qos: 1,
        retain: true,
      });
      const answer = await reply;
      const ms = performance.now() - start;
      if (!answer.ok) throw new Error(`version ${v} refused: ${JSON.stringify(answer)}`);
      if (tableExists() !== enabled)
        throw new Error(`version ${v}: replied before the kernel held enabled=${enabled}`);
      return ms;
    };
    for (let i = 0; i < WARMUP_TOGGLES; i++) await toggle(i % 2 === 1);
    const latencies: number[] = [];
    for (let i = 0; i < TOGGLES; i++) latencies.push(await toggle(i % 2 === 1));
    line(
      `desired toggle -> applied -> reply, p50 (n=${TOGGLES})`,
      `${percentile(latencies, 50).toFixed(1)} ms`,
    );
    line(
      `desired toggle -> applied -> reply, p99 (n=${TOGGLES})`,
      `${percentile(latencies, 99).toFixed(1)} ms`,
    );
    line('desired toggle -> applied -> reply, max', `${Math.max(...latencies).toFixed(1)} ms`);

    // Self-healing: someone deletes the table; the daemon puts it back.
    await toggle(true);
    await sleep(1500);
    const restores: number[] = [];
    for (let i = 0; i < RESTORES; i++) {
      if (!tableExists()) throw new Error('table missing before a restore round');
      execFileSync('nft', ['delete', 'table', 'inet', 'op25b']);
      const start = performance.now();
      while (!tableExists()) {
        if (performance.now() - start > RESTORE_DEADLINE_MS)
          throw new Error(`not restored within ${RESTORE_DEADLINE_MS} ms`);
        await sleep(2);
      }
      restores.push(performance.now() - start);
      await sleep(500);
    }
    const status = inbox.next('status after repairs', (t) => t.endsWith('/status'), 5000);
    const replied = inbox.next(
      'report reply',
      (t, d) => t.endsWith('/reply') && d.id === 'r1',
      5000,
    );
    await client.publishAsync(`${TOPICS}/cmd`, JSON.stringify({ id: 'r1', op: 'report' }), {
      qos: 1,
    });
    await replied;
    const repairs = (await status).enforcement.repairs as number;
    line(
      `nft delete table -> restored, median (n=${RESTORES})`,
      `${percentile(restores, 50).toFixed(1)} ms`,
    );
    line('nft delete table -> restored, max', `${Math.max(...restores).toFixed(1)} ms`);
    line('repairs counted by the daemon', `${repairs} of ${RESTORES}`);
  } catch (error) {
    if (daemonLog) process.stderr.write(`daemon stderr:\n${daemonLog}`);
    throw error;
  } finally {
    if (daemon) await stop(daemon, 'daemon');
    if (client) {
      await client.publishAsync(`${TOPICS}/desired`, '', { qos: 1, retain: true }).catch(() => {});
      await client.endAsync().catch(() => {});
    }
    await stop(broker, 'mosquitto');
  }
}

async function connectClient(): Promise<MqttClient> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${PORT}`, {
        clientId: 'bench-isp',
        reconnectPeriod: 0,
        connectTimeout: 1000,
      });
      // MQTT.js leaves Nagle on: a publish right after a PUBACK would wait for the broker's
      // delayed ACK (up to 40 ms), which is the measuring client's delay, not the agent's.
      (client.stream as unknown as Socket).setNoDelay(true);
      return client;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
