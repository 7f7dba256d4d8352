// The rpcd plugin's `call` as rpcd makes it, and the status document's shape the tests read.
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { inRouter } from './router-agent.ts';
import { packaged, type AgentPath } from './support.ts';

/** rpcd: `<plugin> call <method>` with the arguments as compact JSON, no newline, then EOF. */
export function rpcdCall(path: AgentPath, method: string): Record<string, unknown> {
  const out = inRouter(
    path,
    [join(packaged().root, 'usr/libexec/rpcd/op25b'), 'call', method],
    '{}',
  );
  assert.is(out.code, 0, out.stderr);
  const value = JSON.parse(out.stdout) as unknown;
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), out.stdout);
  return value as Record<string, unknown>;
}

export interface StatusShape {
  policy: { enabled: boolean; wan_devices: string[]; allow: string[]; action: string };
  enforcement: { applied: boolean; backend: string; drift: string[] };
  counters: { blocked_packets: number; top_sources: unknown[] };
  agent: { daemon: boolean };
}
