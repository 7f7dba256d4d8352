// A WAN tracker over a fake runtime for the wan-tracker tests: netifd's interfaces as the next
// dump reports them, ubus events fed to the listener, a log that records its lines.
import type { Logger } from '../../../agent/log/logger.ts';
import { createUbus } from '../../../agent/openwrt/ubus.ts';
import { UBUS_SOCKETS } from '../../../agent/openwrt/ubus-liveness.ts';
import { trackWan, type WanTracker } from '../../../agent/openwrt/wan-tracker.ts';
import { fakeRuntime, type FakeRuntime } from './fake-runtime.ts';

export const DUMP = 'ubus -S -t 5 call network.interface dump';
export const SEND = 'ubus -S -t 5 send op25b.alive';
export const PROBE_MS = 5_000;
export const SOCKET = UBUS_SOCKETS[0]!;

export function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export interface Rig {
  runtime: FakeRuntime;
  tracker: WanTracker;
  log: ReturnType<typeof recordingLog>;
  /** netifd's interfaces, as the next dump will report them. */
  interfaces: Record<string, unknown>[];
  changes: number;
  dumps(): number;
  event(action: string, name: string): void;
}

export function rig(
  names = ['wan', 'wan6'],
  explicit = false,
  ubusSocket: string | null = null,
): Rig {
  const runtime = fakeRuntime(['ubus']);
  runtime.identities.set(SOCKET, 'ubusd-1');
  const log = recordingLog();
  const r: Rig = {
    runtime,
    log,
    interfaces: [],
    changes: 0,
    tracker: null as unknown as WanTracker,
    dumps: () => runtime.runs.filter((run) => run.argv.join(' ') === DUMP).length,
    event(action, name) {
      runtime.children
        .at(-1)!
        .emit(`{ "network.interface": {"action":"${action}","interface":"${name}"} }\n`);
    },
  };
  runtime.answer(DUMP, () => ({ stdout: JSON.stringify({ interface: r.interfaces }) }));
  r.tracker = trackWan({
    runtime,
    ubus: createUbus(runtime),
    names,
    explicit,
    log,
    probeIntervalMs: PROBE_MS,
    ubusSocket,
    onChange: () => r.changes++,
  });
  return r;
}

export const pppoeDown = { interface: 'wan', up: false, proto: 'pppoe', device: 'wan' };
export const pppoeUp = {
  interface: 'wan',
  up: true,
  proto: 'pppoe',
  device: 'wan',
  l3_device: 'pppoe-wan',
  'ipv4-address': [{ address: '203.0.113.7', mask: 32 }],
};
