// The agent's own part of the router's netfilter state, comparable: its nft table, or the lines
// of its iptables chains and jumps. Other tables (the fw4 stand-in) may come and go in chaos.
import {
  execOk,
  exec,
  stripIptablesSave,
  stripNft,
  type BackendSetting,
  type Testbed,
} from '../testbed/index.ts';
import { normalizeNft } from '../integration-mqtt/rig.ts';

/** '' when the agent has no rules in the kernel. */
export async function agentPart(bed: Testbed, backend: BackendSetting): Promise<string> {
  if (backend.backend === 'nftables') {
    const listed = await exec(bed.ns.router, ['nft', 'list', 'table', 'inet', 'op25b']);
    return listed.code === 0 ? normalizeNft(stripNft(listed.stdout)) : '';
  }
  const variant = backend.iptablesVariant ?? 'legacy';
  const saves = await Promise.all(
    ['iptables', 'ip6tables'].map((tool) =>
      execOk(bed.ns.router, [`${tool}-${variant}-save`, '-t', 'filter']),
    ),
  );
  return saves
    .map((text) =>
      stripIptablesSave(text)
        .split('\n')
        .filter((line) => line.includes('OP25B'))
        .join('\n'),
    )
    .join('\n--\n')
    .replace(/^\n--\n$/, '');
}

/** Polls until the agent's part equals `want`; the milliseconds it took, or null at `timeoutMs`. */
export async function waitForPart(
  bed: Testbed,
  backend: BackendSetting,
  want: string,
  timeoutMs: number,
  everyMs = 20,
): Promise<number | null> {
  const started = performance.now();
  for (;;) {
    if ((await agentPart(bed, backend)) === want) return performance.now() - started;
    if (performance.now() - started > timeoutMs) return null;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
