// Does the `ubus listen` child still hear ubusd? The real CLI neither ends nor prints anything
// when ubusd dies or restarts (libubox drops the socket from its loop on EPOLLHUP and the CLI
// waits for ever), so the agent watches ubusd itself, without starting a program:
// - ubusd unlinks its socket and binds a new one at every start, and unlinks it on a clean exit
//   (ubusd_main.c). Every interval the agent stats the socket (no process): a new file means
//   ubusd restarted, none means it is gone. Then the owner restarts the listener and reads
//   netifd again.
// - Proof that the (new) listener hears comes from an echo: `ubus send op25b.alive {"token":..}`
//   (one short-lived process), which the listener must print. Sent only when in doubt: after a
//   restart or an outage, while ubusd's socket cannot be found (then every interval, as there is
//   no other event source), and once an hour as a safety net (ubusd could drop a client).
// Logged only when the state changes.
import type { Logger } from '../log/logger.ts';
import type { Runtime, Timer } from '../runtime/runtime.ts';
import type { Ubus } from './ubus.ts';
import type { UbusEvent } from './ubus-event.ts';

export const ALIVE_EVENT = 'op25b.alive';
/** Where ubusd listens: OpenWrt 19.07 and later, then older releases (libubus UBUS_UNIX_SOCKET). */
export const UBUS_SOCKETS: readonly string[] = ['/var/run/ubus/ubus.sock', '/var/run/ubus.sock'];
/** How long the listener may take to print our own event. */
export const REPLY_MS = 2000;
/** While ubus is unreachable or the listener deaf: the next look comes sooner. */
export const RETRY_MS = 2000;
/** While all is well, one echo an hour all the same. */
export const ECHO_EVERY_MS = 3_600_000;

export interface LivenessDeps {
  readonly runtime: Runtime;
  readonly ubus: Ubus;
  readonly log: Logger;
  /** Between two looks at ubusd's socket (or two echoes, when there is no socket to watch). */
  readonly intervalMs: number;
  /** ubusd's socket; null: the first of UBUS_SOCKETS that exists. */
  readonly socket: string | null;
  /** The listener cannot be trusted any more (or ubus is back): restart it, resynchronise. */
  readonly recover: () => void;
}

export interface Liveness {
  /** Hands over every event the listener printed; ours are recognised by their token. */
  heard(event: UbusEvent): void;
  start(): void;
  stop(): void;
}

/** ok: the listener is trusted; deaf: it must echo before it is; unreachable: ubusd is gone. */
type State = 'ok' | 'unreachable' | 'deaf';

export function watchUbusLiveness(deps: LivenessDeps): Liveness {
  const { runtime, ubus, log } = deps;
  const prefix = Math.random().toString(36).slice(2, 10);
  let state: State = 'ok';
  let sent = 0;
  let pending: string | null = null;
  let next: Timer | null = null;
  let reply: Timer | null = null;
  let stopped = true;
  /** The identity of ubusd's socket when last seen. */
  let known: string | null = null;
  let lastEcho = 0;

  const schedule = (ms: number): void => {
    if (stopped) return;
    if (next) runtime.clearTimeout(next);
    next = runtime.setTimeout(() => {
      next = null;
      look();
    }, ms);
  };

  const unreachable = (why: string): void => {
    if (state !== 'unreachable') log.warn(`ubus unreachable (${why}); WAN devices kept, retrying`);
    state = 'unreachable';
    schedule(RETRY_MS);
  };

  const distrust = (message: string, level: 'warn' | 'info' | 'debug'): void => {
    pending = null;
    log[level](message);
    state = 'deaf';
    deps.recover();
    schedule(RETRY_MS);
  };

  const look = (): void => {
    const path = deps.socket ?? UBUS_SOCKETS.find((p) => runtime.fileIdentity(p) !== null);
    if (path !== undefined) {
      const id = runtime.fileIdentity(path);
      if (id === null) return unreachable(`no ubusd socket at ${path}`);
      const before = known;
      known = id;
      if (state === 'unreachable' && id !== before)
        return distrust(
          'ubus is back: restarting ubus listen and reading the WAN interfaces again',
          'info',
        );
      if (state === 'ok' && before !== null && id !== before)
        return distrust(
          'ubusd restarted (a new socket): restarting ubus listen and reading the WAN interfaces again, WAN devices kept',
          'warn',
        );
      if (state === 'ok' && runtime.now() - lastEcho < ECHO_EVERY_MS)
        return schedule(deps.intervalMs);
    }
    void echo();
  };

  const echo = async (): Promise<void> => {
    const token = `${prefix}-${++sent}`;
    pending = token;
    lastEcho = runtime.now();
    try {
      await ubus.send(ALIVE_EVENT, { token });
    } catch (error) {
      if (stopped) return;
      pending = null;
      return unreachable((error as Error).message);
    }
    if (stopped) return;
    if (state === 'unreachable')
      // ubusd is back, and a listener of the old one never hears anything again.
      return distrust(
        'ubus is back: restarting ubus listen and reading the WAN interfaces again',
        'info',
      );
    if (pending !== token) return; // heard already
    reply = runtime.setTimeout(() => {
      reply = null;
      if (state === 'ok')
        distrust(
          'ubus listen hears nothing (ubusd restarted?): restarting it, WAN devices kept',
          'warn',
        );
      else distrust('ubus listen still hears nothing: restarting it again', 'debug');
    }, REPLY_MS);
  };

  return {
    heard(event) {
      if (event.type !== ALIVE_EVENT || pending === null || event.data.token !== pending) return;
      pending = null;
      if (reply) runtime.clearTimeout(reply);
      reply = null;
      if (state !== 'ok') log.info('ubus listen hears events again');
      state = 'ok';
      schedule(deps.intervalMs);
    },
    start() {
      stopped = false;
      // The listener starts with us: trusted until the socket changes or the hourly echo.
      lastEcho = runtime.now();
      const path = deps.socket ?? UBUS_SOCKETS.find((p) => runtime.fileIdentity(p) !== null);
      known = path === undefined ? null : runtime.fileIdentity(path);
      schedule(deps.intervalMs);
    },
    stop() {
      stopped = true;
      for (const timer of [next, reply]) if (timer) runtime.clearTimeout(timer);
      next = reply = null;
    },
  };
}
