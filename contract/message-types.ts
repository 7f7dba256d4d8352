// TypeScript types of the MQTT documents of docs/mqtt-contract.md, matching schemas/*.json (the
// one source of truth: contract/validate.ts checks documents against them before anything is
// cast to these types). Shared by the portal and the tools.

export interface StateDoc {
  readonly online: boolean;
  /** 16 hex digits, new at every start of the daemon. */
  readonly boot: string;
  readonly agent_version: string;
  readonly at: string;
}

export interface ErrorDoc {
  readonly code: string;
  readonly message: string;
}

export interface TimedErrorDoc extends ErrorDoc {
  readonly at: string;
}

export interface TopSource {
  readonly address: string;
  readonly attempts: number;
}

export type PolicyAction = 'drop' | 'reject';
/**
 * The firewall backends a status may name. `simulated` is the agent's in-memory stand-in
 * (agent/firewall/simulated/), run only under Node by `npm start`'s simulated routers.
 */
export const BACKENDS = ['nftables', 'iptables', 'simulated'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface StatusDoc {
  readonly policy: {
    readonly enabled: boolean;
    readonly version: number;
    readonly source: 'config' | 'remote';
    readonly action: PolicyAction;
    readonly ports: readonly number[];
    readonly allow: readonly string[];
    readonly wan_devices: readonly string[];
    readonly families: readonly ('ipv4' | 'ipv6')[];
  };
  readonly enforcement: {
    readonly applied: boolean;
    readonly backend: Backend;
    readonly backend_reason: string;
    readonly verified_at: string | null;
    readonly drift: readonly string[];
    readonly repairs: number;
    readonly last_repair: { readonly at: string; readonly drift: readonly string[] } | null;
  };
  readonly counters: {
    readonly blocked_packets: number;
    readonly blocked_bytes: number;
    readonly top_sources: readonly TopSource[];
  };
  readonly device: {
    readonly id: string;
    readonly model?: string;
    readonly board?: string;
    readonly release?: string;
    readonly wan_proto?: string;
  };
  readonly agent: {
    readonly version: string;
    readonly runtime: string;
    readonly boot: string | null;
    readonly started_at: string | null;
    readonly daemon: boolean;
  };
  readonly last_error: TimedErrorDoc | null;
  readonly reported_at: string;
}

export interface DesiredReplyDoc {
  readonly version: number | null;
  readonly ok: boolean;
  readonly error?: ErrorDoc;
  readonly note?: string;
}

export interface CommandReplyDoc {
  readonly id: string | null;
  readonly ok: boolean;
  readonly error?: ErrorDoc;
  readonly result?: Readonly<Record<string, unknown>>;
}

export type ReplyDoc = DesiredReplyDoc | CommandReplyDoc;

export function isCommandReply(reply: ReplyDoc): reply is CommandReplyDoc {
  return 'id' in reply;
}

/** The fields of a desired state (the JSON form; signed: plus the envelope claims). */
export interface DesiredDoc {
  readonly version: number;
  readonly enabled: boolean;
  readonly action?: PolicyAction;
  readonly allow?: readonly string[];
  readonly ports?: readonly number[];
}

export type CommandOp = 'report' | 'verify' | 'reapply';

export interface CommandDoc {
  readonly id: string;
  readonly op: CommandOp;
}

/** What a signed message adds: the device id and the time claims (seconds since the epoch). */
export interface EnvelopeClaims {
  readonly sub: string;
  readonly exp: number;
  readonly iat?: number;
}
