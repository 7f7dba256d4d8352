// The desired states the chaos scenarios switch between: each differs from the others in what
// the kernel holds, so a torn apply (part old, part new) matches none of them.
export const POLICIES = [
  { enabled: true, action: 'reject', ports: [25] },
  { enabled: true, action: 'drop', ports: [25, 465], allow: ['203.0.113.25'] },
  { enabled: false },
] as const;

export type PolicyContent = (typeof POLICIES)[number];

/** The desired state of `version`: the versions cycle through POLICIES. */
export function desiredOf(version: number): Record<string, unknown> {
  return { version, ...POLICIES[version % POLICIES.length]! };
}
