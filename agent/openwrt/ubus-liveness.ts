// Does the `ubus listen` child still hear ubusd? The real CLI neither ends nor prints anything
// when ubusd dies or restarts (libubox drops the socket from its loop on EPOLLHUP and the CLI
// waits for ever), so the only proof is an event that comes through. Every interval the agent
// sends one to itself (`ubus send op25b.alive {"token":...}`: one short-lived process) and waits
// for its listener to print it. When it does not come, or ubus cannot be reached and then can,
// the owner restarts the listener and reads netifd again. Logged only when the state changes.
import type { Logger } from '../log/logger.ts';
import type { Runtime, Timer } from '../runtime/runtime.ts';
import type { Ubus } from './ubus.ts';
import type { UbusEvent } from './ubus-event.ts';

export const ALIVE_EVENT = 'op25b.alive';
/** How long the listener may take to print our own event. */
export const REPLY_MS = 2000;
/** While ubus is unreachable or the listener deaf: the next probe comes sooner. */
export const RETRY_MS = 2000;

export interface LivenessDeps {
  readonly runtime: Runtime;
  readonly ubus: Ubus;
  readonly log: Logger;
  /** Between probes while all is well. */
  readonly intervalMs: number;
  /** The listener cannot be trusted any more (or ubus is back): restart it, resynchronise. */
  readonly recover: () => void;
}

export interface Liveness {
  /** Hands over every event the listener printed; ours are recognised by their token. */
  heard(event: UbusEvent): void;
  start(): void;
  stop(): void;
}

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

  const schedule = (ms: number): void => {
    if (stopped) return;
    if (next) runtime.clearTimeout(next);
    next = runtime.setTimeout(() => {
      next = null;
      void probe();
    }, ms);
  };

  const recovered = (): void => {
    if (state !== 'ok') log.info('ubus listen hears events again');
    state = 'ok';
    schedule(deps.intervalMs);
  };

  const probe = async (): Promise<void> => {
    const token = `${prefix}-${++sent}`;
    pending = token;
    try {
      await ubus.send(ALIVE_EVENT, { token });
    } catch (error) {
      if (stopped) return;
      pending = null;
      if (state !== 'unreachable')
        log.warn(`ubus unreachable (${(error as Error).message}); WAN devices kept, retrying`);
      state = 'unreachable';
      schedule(RETRY_MS);
      return;
    }
    if (stopped) return;
    if (state === 'unreachable') {
      // ubusd is back, and a listener of the old one never hears anything again.
      pending = null;
      log.info('ubus is back: restarting ubus listen and reading the WAN interfaces again');
      state = 'deaf';
      deps.recover();
      schedule(RETRY_MS);
      return;
    }
    if (pending !== token) return; // heard already
    reply = runtime.setTimeout(() => {
      reply = null;
      pending = null;
      if (state === 'ok')
        log.warn('ubus listen hears nothing (ubusd restarted?): restarting it, WAN devices kept');
      state = 'deaf';
      deps.recover();
      schedule(RETRY_MS);
    }, REPLY_MS);
  };

  return {
    heard(event) {
      if (event.type !== ALIVE_EVENT || pending === null || event.data.token !== pending) return;
      pending = null;
      if (reply) runtime.clearTimeout(reply);
      reply = null;
      recovered();
    },
    start() {
      stopped = false;
      schedule(deps.intervalMs);
    },
    stop() {
      stopped = true;
      for (const timer of [next, reply]) if (timer) runtime.clearTimeout(timer);
      next = reply = null;
    },
  };
}
