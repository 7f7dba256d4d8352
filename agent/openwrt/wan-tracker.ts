// The daemon's view of the WAN devices: queries netifd at start, whenever `ubus listen` reports
// an ifup, ifdown or ifupdate of a WAN interface, and whenever the listener (re)starts, which it
// does when ubusd restarted or it was found deaf (ubus-liveness.ts) and on resync(). Devices once seen stay in
// the set while the daemon runs, so a PPPoE reconnect never finds its device unblocked; devices
// a one-shot command found join it (adopt); only a new tracker (a config change) forgets them.
import type { Logger } from '../log/logger.ts';
import type { Runtime, Timer } from '../runtime/runtime.ts';
import type { InterfaceStatus } from './interface-status.ts';
import { queryInterfaces } from './netifd-query.ts';
import type { Ubus } from './ubus.ts';
import type { UbusListener } from './ubus-listen.ts';
import { interfaceEvent } from './ubus-event.ts';
import { ALIVE_EVENT, watchUbusLiveness } from './ubus-liveness.ts';
import { mergeDevices, wanView } from './wan-devices.ts';

const ACTIONS = ['ifup', 'ifdown', 'ifupdate'];
/** Events come in bursts (wan and wan6 go up together): one query for a burst. */
const EVENT_DELAY_MS = 30;
/** After the listener (re)starts: give it time to register, then catch up on missed events. */
const RESYNC_DELAY_MS = 300;

export interface WanTrackerDeps {
  readonly runtime: Runtime;
  readonly ubus: Ubus;
  /** The logical WAN interfaces. */
  readonly names: readonly string[];
  /** Warn about interfaces netifd does not know (they were configured, not defaulted). */
  readonly explicit: boolean;
  readonly log: Logger;
  /** Between two looks whether the listener still hears ubusd (ubus-liveness.ts). */
  readonly probeIntervalMs: number;
  /** ubusd's socket; null: the usual places. */
  readonly ubusSocket: string | null;
  /** The device set grew or the WAN protocol changed. */
  readonly onChange: () => void;
}

export interface WanTracker {
  /** Every device the WAN interfaces had (or will have) since the tracker started, sorted. */
  devices(): readonly string[];
  /** The protocol of the first WAN interface netifd knows: static, dhcp, pppoe, ... */
  proto(): string | null;
  /** Queries netifd once (after any query already under way). Never rejects. */
  refresh(): Promise<void>;
  /** Restarts the listener (it may be deaf) and queries netifd. Never rejects. */
  resync(): Promise<void>;
  /** Adds devices found by someone else (a one-shot command); returns those that were new. */
  adopt(devices: readonly string[]): string[];
  /** Follows netifd's interface events until stop(). */
  start(): void;
  stop(): void;
}

/** "wan pppoe up pppoe-wan 203.0.113.7/32" */
function summary(s: InterfaceStatus): string {
  const state = s.up ? `up ${s.l3Device ?? s.device ?? '-'}` : 'down';
  return [s.name, s.proto ?? '?', state, ...s.ipv4, ...s.ipv6].join(' ');
}

export function trackWan(deps: WanTrackerDeps): WanTracker {
  const { runtime, ubus, names, log } = deps;
  let seen: string[] = [];
  let protocol: string | null = null;
  let queue = Promise.resolve();
  let timer: Timer | null = null;
  let timerAt = 0;
  let listener: UbusListener | null = null;
  let noted = '';

  const query = async (): Promise<void> => {
    let statuses: InterfaceStatus[];
    try {
      statuses = await queryInterfaces(ubus, names);
    } catch (error) {
      const text = `cannot read the WAN interfaces (${(error as Error).message}); devices kept`;
      if (text !== noted) log.warn(text);
      noted = text;
      return;
    }
    const view = wanView(statuses, names);
    // One line whenever what netifd says changes: up/down, device, addresses.
    const text = statuses.map(summary).join('; ');
    if (text !== noted) log.info(`WAN: ${text || 'no interface'}`);
    if (deps.explicit && view.missing.length && text !== noted)
      log.warn(`WAN interface not known to netifd: ${view.missing.join(', ')}`);
    noted = text;
    const devices = mergeDevices(seen, view.devices);
    const changed = devices.length !== seen.length || view.proto !== protocol;
    seen = devices;
    protocol = view.proto;
    if (changed) deps.onChange();
  };

  const refresh = (): Promise<void> => (queue = queue.then(query));

  const schedule = (ms: number): void => {
    const at = runtime.now() + ms;
    if (timer) {
      if (timerAt <= at) return;
      runtime.clearTimeout(timer);
    }
    timerAt = at;
    timer = runtime.setTimeout(() => {
      timer = null;
      void refresh();
    }, ms);
  };

  const liveness = watchUbusLiveness({
    runtime,
    ubus,
    log,
    intervalMs: deps.probeIntervalMs,
    socket: deps.ubusSocket,
    recover: () => listener?.restart(),
  });

  return {
    devices: () => seen,
    proto: () => protocol,
    refresh,
    resync() {
      listener?.restart();
      return refresh();
    },
    adopt(devices) {
      const merged = mergeDevices(seen, devices);
      const added = merged.filter((d) => !seen.includes(d));
      seen = merged;
      return added;
    },
    start() {
      listener = ubus.listen(
        ['network.interface', ALIVE_EVENT],
        (event) => {
          liveness.heard(event);
          const e = interfaceEvent(event);
          if (!e || !names.includes(e.interface) || !ACTIONS.includes(e.action)) return;
          log.debug(`ubus: ${e.interface} ${e.action}`);
          schedule(EVENT_DELAY_MS);
        },
        {
          onStart: () => schedule(RESYNC_DELAY_MS),
          onExit: (code, ms) => log.warn(`ubus listen exited (${code}); restarting in ${ms} ms`),
        },
      );
      liveness.start();
    },
    stop() {
      liveness.stop();
      listener?.stop();
      if (timer) runtime.clearTimeout(timer);
      timer = null;
    },
  };
}
