// What `apply` and `verify` will ask first, started before QuickJS compiles the rest of the CLI
// (agent/main.ts imports this, then the CLI): netifd's interface dump when there is ubus, and the
// kernel listing of the backend the config chooses (nft's table, or both families' iptables-save).
// They only read, and runtime/early-runs.ts hands a result only to the run() of the same argv, so
// a wrong guess costs a program, never a rule. Any error here (a bad argument, an unreadable
// config) is left for the command itself to report.
import { firewallFromUci, type FirewallSettings } from '../config/firewall-settings.ts';
import { parseUci } from '../config/uci-parse.ts';
import { decideBackend } from '../firewall/choose-backend.ts';
import { firstListings } from '../firewall/first-listings.ts';
import { INTERFACE_DUMP_COMMAND } from '../openwrt/ubus-command.ts';
import type { EarlyRuns } from '../runtime/early-runs.ts';
import { parseArgs, type CliArgs } from './args.ts';

function settingsOf(early: EarlyRuns, args: CliArgs): FirewallSettings | null {
  const text = early.runtime.readText(args.configPath);
  return text === null ? null : firewallFromUci(parseUci(text, args.configPath));
}

export function startEarlyRuns(early: EarlyRuns): void {
  try {
    const args = parseArgs(early.runtime.argv);
    if (args.command !== 'apply' && args.command !== 'verify') return;
    const settings = settingsOf(early, args);
    if (!settings) return;
    const { name } = decideBackend(early.runtime, settings);
    for (const argv of firstListings(name, settings.iptablesVariant, args.force)) early.start(argv);
    // Every one-shot command's first question to netifd (openwrt/cli-view.ts).
    if (early.runtime.findExecutable('ubus'))
      early.start(INTERFACE_DUMP_COMMAND.argv, INTERFACE_DUMP_COMMAND.timeoutMs);
  } catch {
    // The command reports it, with its exit code.
  }
}
