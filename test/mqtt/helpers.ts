// Helpers for the MQTT tests: a private mosquitto, test certificates, the QuickJS trial runner.
// Everything listens on 127.0.0.1/::1 only; every process started here is tracked and killed at
// exit, also when a test fails.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const QJS = join(ROOT, 'dist/qjs');

const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Spawns and tracks a process (killed at exit if still running). */
export function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`'s value, or null after `ms` (the timer is cleared either way). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `check` returns a value other than undefined; rejects after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A TCP port that was free a moment ago, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'op25b-mqtt-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

// ---- certificates -------------------------------------------------------------------------

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
}

function makeLeaf(dir: string, name: string, ca: string, san: string, usage: string): void {
  openssl(dir, [
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`,
  ]); // prettier-ignore
  writeFileSync(
    join(dir, `${name}.ext`),
    `basicConstraints=CA:FALSE\nsubjectAltName=${san}\nextendedKeyUsage=${usage}\n`,
  );
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`,
    '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`,
  ]); // prettier-ignore
}

/**
 * In `dir`: ca.crt with server.crt (localhost, 127.0.0.1, ::1) and client.crt; other-name.crt from
 * the same CA for another name; evil-ca.crt, an unrelated CA, with evil-server.crt for localhost.
 */
export function makeCertificates(dir: string): void {
  const localhost = 'DNS:localhost,IP:127.0.0.1,IP:::1';
  makeCa(dir, 'ca');
  makeLeaf(dir, 'server', 'ca', localhost, 'serverAuth');
  makeLeaf(dir, 'client', 'ca', 'DNS:op25b-client', 'clientAuth');
  makeLeaf(dir, 'other-name', 'ca', 'DNS:broker.example', 'serverAuth');
  makeCa(dir, 'evil-ca');
  makeLeaf(dir, 'evil-server', 'evil-ca', localhost, 'serverAuth');
}

// ---- mosquitto ----------------------------------------------------------------------------

export interface Mosquitto {
  readonly log: () => string;
  stop(): Promise<void>;
}

/** Starts mosquitto with this configuration (listeners...) and waits until `ports` accept. */
export async function startMosquitto(
  dir: string,
  config: string,
  ports: readonly { host: string; port: number }[],
): Promise<Mosquitto> {
  const logFile = join(dir, 'mosquitto.log');
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    // `user`: as root, mosquitto would switch to user "mosquitto", who cannot read this directory.
    `user ${userInfo().username}\nlog_dest file ${logFile}\nlog_type all\npersistence false\n${config}`,
  );
  const child = track(
    spawn('mosquitto', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await within(exited, 3000);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    for (const { host, port } of ports)
      await waitFor(`mosquitto on ${host}:${port}`, () => {
        if (child.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}${log()}`);
        return log().includes(`listen socket on port ${port}`) ? true : undefined;
      });
    await waitFor('mosquitto running', () => (log().includes(' running') ? true : undefined));
  } catch (error) {
    await stop();
    throw error;
  }
  return { log, stop };
}

/** mosquitto_passwd -b: a password file with one user. */
export function passwordFile(dir: string, user: string, password: string): string {
  const file = join(dir, 'passwd');
  writeFileSync(file, '');
  execFileSync('mosquitto_passwd', ['-b', file, user, password]);
  return file;
}

// ---- a fake broker ------------------------------------------------------------------------

export interface FakeBroker {
  readonly port: number;
  readonly connections: Socket[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that hands each connection to `onConnection` (for misbehaving). */
export async function fakeBroker(onConnection: (socket: Socket) => void): Promise<FakeBroker> {
  const connections: Socket[] = [];
  const server: Server = createServer((socket) => {
    connections.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections,
    close: async () => {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---- the QuickJS trial --------------------------------------------------------------------

export interface TrialEvent {
  readonly event: string;
  readonly ms: number;
  readonly [key: string]: unknown;
}

export interface Trial {
  readonly pid: number;
  readonly events: TrialEvent[];
  stderr(): string;
  /** Resolves with the first event of this name. */
  next(event: string, timeoutMs?: number): Promise<TrialEvent>;
  /** Resolves when the process has ended by itself; kills it and rejects after `timeoutMs`. */
  exit(timeoutMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }>;
  kill(signal: NodeJS.Signals): void;
}

/** Runs `dist/qjs dist/test/mqtt-trial.js <mode> ...args`. */
export function startTrial(
  bundle: string,
  mode: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Trial {
  const t0 = Date.now();
  const child = track(
    spawn(QJS, [bundle, mode, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env }),
  );
  const events: TrialEvent[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      try {
        events.push(JSON.parse(line) as TrialEvent);
      } catch {
        events.push({ event: 'garbage', ms: Date.now() - t0, line });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; ms: number }>(
    (resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - t0 })),
  );
  const describe = (): string =>
    `events ${JSON.stringify(events)}, stderr ${JSON.stringify(stderr)}`;
  return {
    pid: child.pid ?? -1,
    events,
    stderr: () => stderr,
    next: (event, timeoutMs = 8000) =>
      waitFor(
        `trial event ${event} (${describe()})`,
        () => {
          const found = events.find((e) => e.event === event);
          if (!found && child.exitCode !== null)
            throw new Error(`trial exited without ${event}: ${describe()}`);
          return found;
        },
        timeoutMs,
      ),
    exit: async (timeoutMs = 8000) => {
      const result = await within(exited, timeoutMs);
      if (result) return result;
      child.kill('SIGKILL');
      throw new Error(`trial did not exit within ${timeoutMs} ms: ${describe()}`);
    },
    kill: (signal) => child.kill(signal),
  };
}

/** Direct children of a process (Linux /proc). */
export function childPids(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has exited
  } catch {
    return false;
  }
}

/** CPU time (user + system) a process has used, in clock ticks (1/100 s), from /proc. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
}

/** Peak resident set size (VmHWM) of a running process, in kB. */
export function peakRssKb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for ${pid}`);
  return Number(match[1]);
}
