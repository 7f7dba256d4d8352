// The ubus command line of one call or send (ubus.ts runs it), and the call every one-shot
// command makes first, which cli/early-start.ts may start while QuickJS compiles the CLI.

export interface UbusCommand {
  readonly argv: readonly string[];
  /** Our own limit, past ubus's `-t`: a ubus stuck in connect() is killed. */
  readonly timeoutMs: number;
}

export const DEFAULT_TIMEOUT_S = 5;

/** `ubus -S -t <timeoutS> <args...>`: compact JSON on success, the status as the exit code. */
export function ubusCommand(args: readonly string[], timeoutS: number): UbusCommand {
  return {
    argv: ['ubus', '-S', '-t', String(timeoutS), ...args],
    timeoutMs: (timeoutS + 2) * 1000,
  };
}

/** netifd's state of every logical interface (netifd-query.ts). */
export const INTERFACE_DUMP = { object: 'network.interface', method: 'dump' } as const;

/** The call of INTERFACE_DUMP as ubus.ts runs it with the default timeout. */
export const INTERFACE_DUMP_COMMAND = ubusCommand(
  ['call', INTERFACE_DUMP.object, INTERFACE_DUMP.method],
  DEFAULT_TIMEOUT_S,
);
