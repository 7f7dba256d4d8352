// A fixture directory for the stand-ins (OP25B_STANDIN_DIR), and what tests do with it: set a
// ubus answer, mark ubusd down, emit events to running `ubus listen`ers, read what was called and
// what was logged. The layout is described in README.md.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding the ubus, uci and logger stand-ins: put it first on PATH. */
export const STANDIN_BIN = fileURLToPath(new URL('./bin', import.meta.url));

export interface StandinDir {
  readonly path: string;
  /**
   * Stands for ubusd's socket (`agent.ubus_socket`): as ubusd, a start makes a new one (ubusd
   * unlinks and binds it anew) and a stop removes it (ubusd unlinks it on a clean exit).
   */
  readonly socket: string;
  /** Environment variables for a program that should meet the stand-ins. */
  env(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** The reply of `ubus call <object> <method>` (replaces an earlier answer or status). */
  answer(object: string, method: string, reply: unknown): void;
  /** Makes `ubus call <object> <method>` fail with this status (e.g. 5 NO_DATA). */
  fail(object: string, method: string, status: number): void;
  /** Delays the answer by this many milliseconds (longer than -t: TIMEOUT). */
  delay(object: string, method: string, ms: number): void;
  /** Removes the object's method (a later call: METHOD_NOT_FOUND, or NOT_FOUND if none left). */
  forget(object: string, method: string): void;
  /** `ubus call network.interface.<name> status`, and its entry in `network.interface dump`. */
  setInterface(name: string, status: Record<string, unknown>): void;
  /** Delivers an event to every running `ubus listen` whose pattern matches. */
  emit(type: string, data: Record<string, unknown>): void;
  /**
   * ubusd down: every ubus command fails to connect; running listeners stay, deaf for ever
   * (as the real `ubus listen`), also after ubusd is back.
   */
  setDaemonDown(down: boolean): void;
  /** ubusd restarts at once (procd respawns it): calls work, running listeners go deaf, the
   * socket is a new file. */
  restartDaemon(): void;
  /** Pids of the `ubus listen` processes that are registered. */
  listeners(): number[];
  /** Resolves once `count` listeners are registered. */
  waitForListeners(count: number, timeoutMs?: number): Promise<void>;
  /** `ubus call`s so far: "<object> <method> <json>" lines. */
  calls(): string[];
  /** What `logger` logged: "<facility>.<level> <tag>: <message>" lines. */
  syslog(): string[];
  /** Writes a config file for the uci stand-in (config/<name>). */
  writeConfig(name: string, text: string): void;
  readConfig(name: string): string;
  remove(): void;
}

function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

export function createStandinDir(): StandinDir {
  const path = mkdtempSync(join(tmpdir(), 'op25b-standin-'));
  const socket = join(path, 'ubus.sock');
  // A new file (another inode), as ubusd's bind() after its unlink().
  const bindSocket = () => atomicWrite(socket, '');
  bindSocket();
  const ubus = join(path, 'ubus');
  mkdirSync(ubus, { recursive: true });
  mkdirSync(join(path, 'config'), { recursive: true });
  const base = (object: string, method: string) => join(ubus, `${object}~${method}`);
  const clear = (object: string, method: string) => {
    for (const ext of ['json', 'status', 'delay'])
      rmSync(`${base(object, method)}.${ext}`, { force: true });
  };
  const listeners = (): number[] => {
    try {
      // A listener killed with SIGKILL leaves its file behind: only live ones count.
      return readdirSync(join(ubus, 'listeners'))
        .map(Number)
        .filter((pid) => existsSync(`/proc/${pid}`));
    } catch {
      return [];
    }
  };
  return {
    path,
    socket,
    env: (env = process.env) => ({
      ...env,
      PATH: `${STANDIN_BIN}${delimiter}${env.PATH ?? ''}`,
      OP25B_STANDIN_DIR: path,
    }),
    answer(object, method, reply) {
      clear(object, method);
      atomicWrite(`${base(object, method)}.json`, `${JSON.stringify(reply, null, '\t')}\n`);
    },
    fail(object, method, status) {
      rmSync(`${base(object, method)}.json`, { force: true });
      atomicWrite(`${base(object, method)}.status`, `${status}\n`);
    },
    delay(object, method, ms) {
      atomicWrite(`${base(object, method)}.delay`, `${ms}\n`);
    },
    forget: clear,
    setInterface(name, status) {
      this.answer(`network.interface.${name}`, 'status', status);
    },
    emit(type, data) {
      appendFileSync(join(ubus, 'events'), `${JSON.stringify({ type, data })}\n`);
    },
    setDaemonDown(down) {
      if (down) {
        writeFileSync(join(path, 'ubusd.down'), '');
        rmSync(socket, { force: true });
        this.restartDaemon(); // the ubusd that comes back is another one
      } else {
        bindSocket();
        rmSync(join(path, 'ubusd.down'), { force: true });
      }
    },
    restartDaemon() {
      const file = join(path, 'ubusd.boot');
      const boot = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
      if (!existsSync(join(path, 'ubusd.down'))) bindSocket();
      atomicWrite(file, `${boot + 1}\n`);
    },
    listeners,
    async waitForListeners(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (listeners().length < count) {
        if (Date.now() > deadline)
          throw new Error(`${listeners().length} ubus listeners registered, expected ${count}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    calls: () => lines(join(ubus, 'calls.log')),
    syslog: () => lines(join(path, 'syslog')),
    writeConfig: (name, text) => writeFileSync(join(path, 'config', name), text),
    readConfig: (name) => readFileSync(join(path, 'config', name), 'utf8'),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
