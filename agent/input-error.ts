// Bad input from outside (config, CLI, later MQTT): it names the offending value, carries a
// stable code for machine replies, and maps to exit code 2. Nothing is applied when one is thrown.
export class InputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Quotes a value for an error message so spaces, quotes and control characters stay visible. */
export function quoteValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}
