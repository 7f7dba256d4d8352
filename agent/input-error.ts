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
  const text = typeof value === 'string' ? value : describe(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

/** Text for any value, also one that String() would throw on (`{"toString":"x"}`, deep nesting). */
function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `a list of ${value.length}` : 'an object';
}
