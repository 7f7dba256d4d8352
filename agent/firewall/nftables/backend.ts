// The nftables backend: one table the agent owns, one `nft -f` transaction per change.
import type { Runtime } from '../../runtime/runtime.ts';
import type { Policy } from '../../policy/policy.ts';
import {
  FirewallError,
  stderrSummary,
  topSources,
  type Counters,
  type FirewallBackend,
} from '../backend.ts';
import { diffRulesets } from './diff.ts';
import { parseNftListing, type NftListing } from './listing.ts';
import { LIST_ARGV } from './names.ts';
import { REMOVE_SCRIPT, renderScript } from './render.ts';
import { desiredRuleset } from './ruleset.ts';

const TOP_SOURCES = 10;

export function createNftablesBackend(runtime: Runtime): FirewallBackend {
  const nft = async (args: string[], stdin?: string) => {
    const result = await runtime.run(['nft', ...args], stdin === undefined ? {} : { stdin });
    if (result.code === 127) throw new FirewallError('nft not found');
    return result;
  };

  /** The agent's table as the kernel has it, or null when there is none. */
  const list = async (): Promise<NftListing | null> => {
    const result = await nft(LIST_ARGV.slice(1));
    if (result.code !== 0) {
      if (/No such file or directory/.test(result.stderr)) return null;
      throw new FirewallError(`nft list table failed: ${stderrSummary(result.stderr)}`);
    }
    try {
      return parseNftListing(result.stdout);
    } catch (error) {
      throw new FirewallError(`nft list table: unreadable output (${String(error)})`);
    }
  };

  const runScript = async (script: string, what: string): Promise<void> => {
    const result = await nft(['-f', '-'], script);
    if (result.code !== 0)
      throw new FirewallError(`nft -f (${what}) failed: ${stderrSummary(result.stderr, 3)}`);
  };

  return {
    name: 'nftables',
    async apply(policy, options = {}) {
      const want = desiredRuleset(policy);
      if (!options.force) {
        const have = await list();
        if (diffRulesets(want, have?.ruleset ?? null).length === 0) return { changed: false };
      }
      await runScript(renderScript(want), 'apply');
      return { changed: true };
    },
    async verify(policy) {
      return diffRulesets(desiredRuleset(policy), (await list())?.ruleset ?? null);
    },
    async counters(): Promise<Counters> {
      const have = await list();
      return {
        blockedPackets: have?.blocked.packets ?? 0,
        blockedBytes: have?.blocked.bytes ?? 0,
        topSources: topSources([...(have?.sources ?? [])], TOP_SOURCES),
      };
    },
    async remove() {
      await runScript(REMOVE_SCRIPT, 'remove');
    },
    render: (policy: Policy) => renderScript(desiredRuleset(policy)),
  };
}
