// Router documents for the portal's tests, valid under schemas/ (checked by the unit tests), with
// the fields a test cares about given as options.
import type { StateDoc, StatusDoc, TopSource } from '../../../contract/message-types.ts';

export const BOOT_A = '3f9c2a7b51d04e68';
export const BOOT_B = '0123456789abcdef';

export function stateDoc(online: boolean, boot: string, at: string): StateDoc {
  return { online, boot, agent_version: '0.1.0', at };
}

export interface StatusOptions {
  readonly id: string;
  readonly boot?: string;
  readonly reportedAt?: string;
  readonly blocked?: number;
  readonly sources?: readonly TopSource[];
  readonly version?: number;
  readonly enabled?: boolean;
  readonly applied?: boolean;
  readonly repairs?: number;
  readonly model?: string;
  readonly wanProto?: string;
  readonly backend?: 'nftables' | 'iptables';
  readonly error?: { code: string; message: string; at: string } | null;
}

export function statusDoc(o: StatusOptions): StatusDoc {
  const reportedAt = o.reportedAt ?? '2026-11-28T06:05:00.001Z';
  const enabled = o.enabled ?? true;
  return {
    policy: {
      enabled,
      version: o.version ?? 0,
      source: (o.version ?? 0) > 0 ? 'remote' : 'config',
      action: 'drop',
      ports: [25],
      allow: ['203.0.113.25'],
      wan_devices: ['pppoe-wan'],
      families: ['ipv4', 'ipv6'],
    },
    enforcement: {
      applied: o.applied ?? true,
      backend: o.backend ?? 'nftables',
      backend_reason: 'fw4 and nft found',
      verified_at: reportedAt,
      drift: o.applied === false ? ['table inet op25b is missing'] : [],
      repairs: o.repairs ?? 0,
      last_repair: null,
    },
    counters: {
      blocked_packets: o.blocked ?? 0,
      blocked_bytes: (o.blocked ?? 0) * 60,
      top_sources: o.sources ?? [],
    },
    device: {
      id: o.id,
      model: o.model ?? 'Linksys E8450 (UBI)',
      board: 'linksys,e8450-ubi',
      release: 'OpenWrt 24.10.0 r28427-6df0e3d02a',
      wan_proto: o.wanProto ?? 'pppoe',
    },
    agent: {
      version: '0.1.0',
      runtime: 'quickjs',
      boot: o.boot ?? BOOT_A,
      started_at: '2026-11-28T05:59:58.002Z',
      daemon: true,
    },
    last_error: o.error ?? null,
    reported_at: reportedAt,
  };
}

/** Device ids like the agent's: 12 lower-case hex digits. */
export function deviceId(n: number): string {
  return n.toString(16).padStart(12, '0');
}
