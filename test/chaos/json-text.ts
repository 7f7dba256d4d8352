// JSON text for fuzz payloads, built by hand where JSON.stringify of an object would not do.

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export function withField(base: Record<string, unknown>, field: string, value: unknown): string {
  // Built as text so that keys such as "__proto__" become real JSON members.
  const members = Object.entries(base)
    .filter(([k]) => k !== field)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  members.push(`${JSON.stringify(field)}:${JSON.stringify(value)}`);
  return `{${members.join(',')}}`;
}

export function nested(depth: number): string {
  return `${'['.repeat(depth)}"203.0.113.25"${']'.repeat(depth)}`;
}
