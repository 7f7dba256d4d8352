// The iptables backend (fw3 routers): the agent's chains in the filter table of iptables and
// ip6tables, written with one `iptables-restore --noflush` run per family.
import type { IptablesVariant } from '../../config/firewall-settings.ts';
import { ALL_FAMILIES } from '../../policy/policy.ts';
import type { Family } from '../../policy/address.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import {
  FirewallError,
  stderrSummary,
  topSources,
  type Counters,
  type Drift,
  type FirewallBackend,
  type SourceCount,
} from '../backend.ts';
import { diffFamily } from './diff.ts';
import { CHAIN_BLOCK, RECENT_LIST } from './names.ts';
import { parseRecentList } from './recent-list.ts';
import { applyScript, removeScript } from './restore-script.ts';
import { desiredRules } from './rules.ts';
import {
  EMPTY_FILTER_TABLE,
  parseFilterTable,
  rulesOf,
  type SavedFilterTable,
} from './save-output.ts';
import { iptablesTools, saveArgv } from './tools.ts';

const TOP_SOURCES = 10;
// Wait for the xtables lock (fw3 holds it while it reloads) instead of failing at once.
const LOCK_WAIT_S = '5';

export function createIptablesBackend(runtime: Runtime, variant: IptablesVariant): FirewallBackend {
  /** The family's filter table, or null when that family's tools are not installed. */
  const save = async (family: Family): Promise<SavedFilterTable | null> => {
    const argv = saveArgv(variant, family);
    const result = await runtime.run(argv);
    if (result.code === 127) return null;
    if (result.code !== 0)
      throw new FirewallError(`${argv[0]} failed: ${stderrSummary(result.stderr)}`);
    return parseFilterTable(result.stdout);
  };

  const restore = async (family: Family, script: string): Promise<void> => {
    const { restore } = iptablesTools(variant, family);
    const result = await runtime.run([restore, '--noflush', '--wait', LOCK_WAIT_S], {
      stdin: script,
    });
    if (result.code === 127) throw new FirewallError(`${restore} not found`);
    if (result.code !== 0)
      throw new FirewallError(`${restore} failed: ${stderrSummary(result.stderr, 3)}`);
  };

  const missingTools = (family: Family): FirewallError =>
    new FirewallError(
      `${iptablesTools(variant, family).save} not found: ${family} is not blocked` +
        (family === 'ipv6' ? ' (install ip6tables, or set `list family ipv4`)' : ''),
    );

  return {
    name: 'iptables',
    async apply(policy, options = {}) {
      let changed = false;
      const errors: FirewallError[] = [];
      // Both families listed at once (the save tools take no lock), so one apply waits for one
      // listing instead of two; a failed listing is that family's error.
      const saved = ALL_FAMILIES.map((family) => save(family));
      for (const s of saved) s.catch(() => undefined);
      // Each family is its own transaction; one family's failure does not stop the other.
      for (const [i, family] of ALL_FAMILIES.entries()) {
        try {
          const want = desiredRules(policy, family);
          const have = await saved[i]!;
          if (!have) {
            if (want) throw missingTools(family);
            continue;
          }
          if (!options.force && diffFamily(family, want, have).length === 0) continue;
          const script = want ? applyScript(want, have) : removeScript(have);
          if (script) await restore(family, script);
          changed = true;
        } catch (error) {
          if (!(error instanceof FirewallError)) throw error;
          errors.push(error);
        }
      }
      if (errors.length) throw new FirewallError(errors.map((e) => e.message).join('; '));
      return { changed };
    },
    async verify(policy) {
      const drift: Drift[] = [];
      for (const family of ALL_FAMILIES) {
        const want = desiredRules(policy, family);
        const have = await save(family);
        if (!have) {
          if (want) drift.push(missingTools(family).message);
          continue;
        }
        drift.push(...diffFamily(family, want, have));
      }
      return drift;
    },
    async counters(): Promise<Counters> {
      let blockedPackets = 0;
      let blockedBytes = 0;
      const sources: SourceCount[] = [];
      for (const family of ALL_FAMILIES) {
        const have = (await save(family)) ?? EMPTY_FILTER_TABLE;
        // The verdict is the last rule of the block chain; its counters are the blocked traffic.
        const verdict = rulesOf(have, CHAIN_BLOCK).pop();
        blockedPackets += verdict?.packets ?? 0;
        blockedBytes += verdict?.bytes ?? 0;
        const list = runtime.readText(`/proc/net/xt_recent/${RECENT_LIST[family]}`);
        if (list) sources.push(...parseRecentList(list));
      }
      return { blockedPackets, blockedBytes, topSources: topSources(sources, TOP_SOURCES) };
    },
    async remove() {
      for (const family of ALL_FAMILIES) {
        const have = await save(family);
        const script = have && removeScript(have);
        if (script) await restore(family, script);
      }
    },
    render(policy) {
      return ALL_FAMILIES.map((family) => {
        const want = desiredRules(policy, family);
        const header = `# ${iptablesTools(variant, family).restore} --noflush`;
        return `${header}\n${want ? applyScript(want, EMPTY_FILTER_TABLE) : '# (no rules)\n'}`;
      }).join('\n');
    },
  };
}
