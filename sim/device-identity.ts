// What a simulated router says about its hardware and uplink: a few common OpenWrt boards and
// releases, picked by index so a fleet looks mixed and the same router always looks the same.
import type { DeviceReport } from '../agent/status/status-report.ts';
import type { Profile } from './profiles.ts';

const BOARDS = [
  { model: 'Linksys E8450 (UBI)', board: 'linksys,e8450-ubi' },
  { model: 'GL.iNet GL-MT3000', board: 'glinet,gl-mt3000' },
  { model: 'Xiaomi Mi Router AX3000T', board: 'xiaomi,mi-router-ax3000t' },
  { model: 'TP-Link Archer C7 v5', board: 'tplink,archer-c7-v5' },
] as const;

const RELEASES = ['OpenWrt 24.10.0 r28427-6df0e3d02a', 'OpenWrt 23.05.5 r24106-10cc5fcd00'];

export interface SimulatedDevice {
  readonly report: DeviceReport;
  /** The egress devices the config names (status.policy.wan_devices). */
  readonly wanDevices: readonly string[];
}

export function simulatedDevice(id: string, index: number, profile: Profile): SimulatedDevice {
  const board = BOARDS[index % BOARDS.length]!;
  // Business customers with a fixed address are the static ones; the rest is PPPoE or DHCP.
  const wanProto = profile === 'static' ? 'static' : index % 3 === 0 ? 'dhcp' : 'pppoe';
  return {
    report: {
      id,
      model: board.model,
      board: board.board,
      release: RELEASES[index % RELEASES.length]!,
      wanProto,
    },
    wanDevices: wanProto === 'pppoe' ? ['pppoe-wan'] : ['wan'],
  };
}
