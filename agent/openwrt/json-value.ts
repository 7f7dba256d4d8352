// Small checks for JSON that came from another program: nothing is trusted before it passed one.

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short printable string, or null (wrong type, empty, too long, control characters). */
export function shortText(value: unknown, maxLength = 128): string | null {
  return typeof value === 'string' &&
    value.length > 0 &&
    value.length <= maxLength &&
    !/[\x00-\x1f\x7f]/.test(value)
    ? value
    : null;
}
