// The WAN devices the kernel rules name right now, read from nft or iptables-save, and a wait
// until they are the expected ones.
import type { BackendSetting } from '../testbed/agent.ts';
import { exec, execOk } from '../testbed/exec.ts';
import type { Testbed } from '../testbed/testbed.ts';

/** The devices the kernel rules block right now, as one sorted list (both families agree). */
export async function kernelDevices(bed: Testbed, setting: BackendSetting): Promise<string[]> {
  if (setting.backend === 'nftables') {
    const result = await exec(bed.ns.router, [
      'nft',
      '-j',
      'list',
      'set',
      'inet',
      'op25b',
      'wan_devices',
    ]);
    if (result.code !== 0) return [];
    const json = JSON.parse(result.stdout) as { nftables: { set?: { elem?: unknown[] } }[] };
    const set = json.nftables.find((e) => e.set)?.set;
    return ((set?.elem ?? []) as string[]).slice().sort();
  }
  const variant = setting.iptablesVariant ?? 'legacy';
  const lists = await Promise.all(
    [`iptables-${variant}-save`, `ip6tables-${variant}-save`].map(async (tool) => {
      const text = await execOk(bed.ns.router, [tool, '-t', 'filter']);
      const devices = [...text.matchAll(/^-A OP25B -o (\S+) /gm)].map((m) => m[1]!);
      return [...new Set(devices)].sort();
    }),
  );
  // iptables and ip6tables are two commits: between them the families can differ for a moment.
  if (lists[0]!.join() !== lists[1]!.join()) return [`ipv4:${lists[0]}`, `ipv6:${lists[1]}`];
  return lists[0]!;
}

/** Polls until the kernel's devices equal `expected`; resolves with the milliseconds it took. */
export async function waitForDevices(
  bed: Testbed,
  setting: BackendSetting,
  expected: readonly string[],
  timeoutMs = 3000,
): Promise<number> {
  const started = performance.now();
  const want = [...expected].sort().join(',');
  for (;;) {
    const have = (await kernelDevices(bed, setting)).join(',');
    if (have === want) return performance.now() - started;
    if (performance.now() - started > timeoutMs)
      throw new Error(`kernel rules name [${have}], expected [${want}] after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
