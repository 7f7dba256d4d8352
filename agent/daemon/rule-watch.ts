// Notices when someone else changes or removes the agent's rules (`fw4 flush`, a manual
// `nft delete table`, an fw3 reload): `nft monitor` events where nftables is in use (then the
// periodic check is a rare safety net, and a restarted monitor is followed by a check, since
// events may have been missed meanwhile), and a periodic check everywhere (the only way to see
// changes to iptables).
import type { BackendName } from '../firewall/backend.ts';
import type { Logger } from '../log/logger.ts';
import type { ChildProcess, Runtime, Timer } from '../runtime/runtime.ts';
import { lineSplitter } from '../encoding/lines.ts';

// A burst of events (one `nft -f` makes several) is answered with one check.
const DEBOUNCE_MS = 20;
const MONITOR_RESTART_MS = 5_000;

/** An nft monitor line that can concern the agent's table. */
export function concernsAgent(line: string): boolean {
  return /\bop25b\b/i.test(line) || /^(flush ruleset|delete table)/.test(line.trim());
}

export interface RuleWatch {
  stop(): void;
}

export function watchRules(
  runtime: Runtime,
  backend: BackendName,
  intervalMs: number,
  log: Logger,
  check: (reason: string) => void,
): RuleWatch {
  let stopped = false;
  let periodic: Timer | null = null;
  let debounce: Timer | null = null;
  let monitor: ChildProcess | null = null;
  let monitorStarts = 0;

  const tick = (): void => {
    periodic = runtime.setTimeout(() => {
      check('periodic check');
      tick();
    }, intervalMs);
  };
  tick();

  const startMonitor = (): void => {
    if (stopped || backend !== 'nftables' || !runtime.findExecutable('nft')) return;
    const lines = lineSplitter((line) => {
      if (!concernsAgent(line) || debounce) return;
      debounce = runtime.setTimeout(() => {
        debounce = null;
        check('nft monitor event');
      }, DEBOUNCE_MS);
    });
    const restarted = monitorStarts++ > 0;
    monitor = runtime.spawn(['nft', 'monitor'], {
      onStdout: (chunk) => lines.push(chunk),
      onExit: (code) => {
        monitor = null;
        if (stopped) return;
        log.warn(`nft monitor exited (${code}); restarting in ${MONITOR_RESTART_MS} ms`);
        runtime.setTimeout(startMonitor, MONITOR_RESTART_MS);
      },
    });
    if (restarted) check('nft monitor restarted');
  };
  startMonitor();

  return {
    stop() {
      stopped = true;
      if (periodic) runtime.clearTimeout(periodic);
      if (debounce) runtime.clearTimeout(debounce);
      monitor?.kill();
    },
  };
}
