// A simulated router's ubus, in process: the agent's Ubus interface answered with the replies
// OpenWrt's ubusd, netifd and procd's `system` object give (platform-facts.md): `system board`,
// `network.interface dump`, and events that `send` delivers to every `listen` of that type (the
// agent's liveness probe sends itself one and waits for it). Starting the Node stand-in
// program of test/openwrt-standins for every call of dozens of routers would cost a Node
// process per call; the replies are the same.
import type { UbusEvent } from '../../agent/openwrt/ubus-event.ts';
import type { UbusListener } from '../../agent/openwrt/ubus-listen.ts';
import type { Ubus } from '../../agent/openwrt/ubus.ts';
import type { JsonObject } from '../../agent/openwrt/json-value.ts';
import { UbusError } from '../../agent/openwrt/ubus-status.ts';

export interface SimulatedBoard {
  readonly model: string;
  readonly board: string;
  /** e.g. "OpenWrt 24.10.0 r28427-6df0e3d02a" */
  readonly release: string;
}

export interface SimulatedWan {
  readonly proto: 'pppoe' | 'dhcp' | 'static';
  /** A WAN address of this router (a documentation range). */
  readonly ipv4: string;
}

function boardReply(board: SimulatedBoard): JsonObject {
  const [distribution = 'OpenWrt', version = '', revision = ''] = board.release.split(' ');
  return {
    kernel: '6.6.73',
    hostname: 'OpenWrt',
    system: 'ARMv8 Processor rev 4',
    model: board.model,
    board_name: board.board,
    rootfs_type: 'squashfs',
    release: {
      distribution,
      version,
      revision,
      target: 'mediatek/filogic',
      description: board.release,
    },
  };
}

/** netifd's view of `wan`: PPPoE runs over eth1 and leaves through pppoe-wan. */
function wanInterface(wan: SimulatedWan): JsonObject {
  const l3 = wan.proto === 'pppoe' ? 'pppoe-wan' : 'wan';
  return {
    interface: 'wan',
    up: true,
    pending: false,
    available: true,
    autostart: true,
    dynamic: false,
    uptime: 3600,
    l3_device: l3,
    proto: wan.proto,
    device: wan.proto === 'pppoe' ? 'eth1' : 'wan',
    'ipv4-address': [{ address: wan.ipv4, mask: wan.proto === 'pppoe' ? 32 : 24 }],
    'ipv6-address': [],
    route: [],
    'dns-server': [],
    data: {},
  };
}

export function createSimulatedUbus(board: SimulatedBoard, wan: SimulatedWan): Ubus {
  const listeners = new Set<{ types: readonly string[]; handler: (e: UbusEvent) => void }>();
  return {
    call(object, method) {
      if (object === 'system' && method === 'board') return Promise.resolve(boardReply(board));
      if (object === 'network.interface' && method === 'dump')
        return Promise.resolve({ interface: [wanInterface(wan)] });
      if (object === 'network.interface.wan' && method === 'status')
        return Promise.resolve(wanInterface(wan));
      return Promise.reject(new UbusError('NOT_FOUND', `call ${object} ${method}`));
    },
    send(type, data = {}) {
      const event: UbusEvent = { type, data: data as JsonObject };
      // As ubusd does: delivered after the sender's call returned.
      for (const l of [...listeners])
        if (l.types.includes(type)) setImmediate(() => listeners.has(l) && l.handler(event));
      return Promise.resolve();
    },
    listen(types, handler, options): UbusListener {
      const entry = { types, handler };
      listeners.add(entry);
      setImmediate(() => options?.onStart?.());
      return {
        restart: () => setImmediate(() => options?.onStart?.()),
        stop: () => void listeners.delete(entry),
      };
    },
  };
}
