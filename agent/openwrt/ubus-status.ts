// ubus status codes (libubus's enum ubus_msg_status, which `ubus -S` exits with) and the error a
// failed ubus command throws.

export const UBUS_STATUS = [
  'OK',
  'INVALID_COMMAND',
  'INVALID_ARGUMENT',
  'METHOD_NOT_FOUND',
  'NOT_FOUND',
  'NO_DATA',
  'PERMISSION_DENIED',
  'TIMEOUT',
  'NOT_SUPPORTED',
  'UNKNOWN_ERROR',
  'CONNECTION_FAILED',
  'NO_MEMORY',
  'PARSE_ERROR',
  'SYSTEM_ERROR',
] as const;
export type UbusStatus = (typeof UBUS_STATUS)[number];

/** ubus's own statuses, plus: the program is missing (127), or its output is not JSON. */
export type UbusFailure = UbusStatus | 'NOT_INSTALLED' | 'BAD_OUTPUT';

/** The failure an exit code of the ubus program stands for. */
export function failureOfExit(code: number): UbusFailure {
  if (code === 127) return 'NOT_INSTALLED';
  // 255: "Failed to connect to ubus" (-1). Without -S and off a TTY a failed call exits with
  // 256 - status; with -S (as the agent runs it) the status itself.
  if (code === 255) return 'CONNECTION_FAILED';
  const status = code > 242 ? 256 - code : code;
  return (status > 0 && UBUS_STATUS[status]) || 'UNKNOWN_ERROR';
}

export class UbusError extends Error {
  constructor(
    readonly status: UbusFailure,
    /** What failed, e.g. "call network.interface dump". */
    readonly what: string,
  ) {
    super(`ubus ${what}: ${status}`);
    this.name = 'UbusError';
  }
}
