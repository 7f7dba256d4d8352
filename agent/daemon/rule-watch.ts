// Notices when someone else changes or removes the agent's rules (`fw4 flush`, a manual
// `nft delete table`, an fw3 reload): `nft monitor` events where nftables is in use (then the
// periodic check is a rare safety net, and a restarted monitor is followed by a check, since
// events may have been missed meanwhile: once it listens, so that no change falls between the
// check and its subscription), and a periodic check everywhere (the only way to see
// changes to iptables). The monitor's memory is watched too (monitor-growth.ts): one that has
// grown by its cache of set elements is restarted, which is followed by a check like any restart.
import type { BackendName } from '../firewall/backend.ts';
import type { Logger } from '../log/logger.ts';
import type { ChildProcess, Runtime, Timer } from '../runtime/runtime.ts';
import { lineSplitter } from '../encoding/lines.ts';
import { grewTooMuch, residentKb } from './monitor-growth.ts';

// A burst of events (one `nft -f` makes several) is answered with one check.
const DEBOUNCE_MS = 20;
const MONITOR_RESTART_MS = 5_000;
// A new monitor dumps the ruleset into its cache before it subscribes to events (49 ms for one
// with a 10,000-element set here); the check after a restart waits until it surely listens.
const MONITOR_SETTLE_MS = 1_000;
// A read of /proc/<pid>/status a minute: no program started, microseconds of CPU.
const GROWTH_CHECK_MS = 60_000;

/** An nft monitor line that can concern the agent's table. */
export function concernsAgent(line: string): boolean {
  return /\bop25b\b/i.test(line) || /^(flush ruleset|delete table)/.test(line.trim());
}

export interface RuleWatch {
  stop(): void;
}

export interface RuleWatchTiming {
  /** How often the monitor's resident size is read (tests shorten it). */
  readonly growthCheckMs?: number;
}

export function watchRules(
  runtime: Runtime,
  backend: BackendName,
  intervalMs: number,
  log: Logger,
  check: (reason: string) => void,
  { growthCheckMs = GROWTH_CHECK_MS }: RuleWatchTiming = {},
): RuleWatch {
  let stopped = false;
  let periodic: Timer | null = null;
  let debounce: Timer | null = null;
  let monitor: ChildProcess | null = null;
  let monitorStarts = 0;
  let growthTimer: Timer | null = null;
  let settle: Timer | null = null;
  let baselineKb: number | null = null;
  let recycling = false;

  const watchGrowth = (child: ChildProcess): void => {
    growthTimer = runtime.setTimeout(() => {
      growthTimer = null;
      if (monitor !== child) return;
      const kb = residentKb(runtime.readText(`/proc/${child.pid}/status`));
      if (kb === null) return; // gone: its exit handler takes over
      if (baselineKb === null) baselineKb = kb;
      else if (grewTooMuch(baselineKb, kb)) {
        log.info(
          `nft monitor grew from ${baselineKb} to ${kb} KB (it caches every set element it ` +
            'hears of); restarting it',
        );
        recycling = true;
        child.kill();
        return;
      }
      watchGrowth(child);
    }, growthCheckMs);
  };

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
    baselineKb = null;
    const child = runtime.spawn(['nft', 'monitor'], {
      onStdout: (chunk) => lines.push(chunk),
      onExit: (code) => {
        monitor = null;
        if (growthTimer) runtime.clearTimeout(growthTimer);
        growthTimer = null;
        if (stopped) return;
        if (recycling) {
          recycling = false;
          startMonitor();
          return;
        }
        log.warn(`nft monitor exited (${code}); restarting in ${MONITOR_RESTART_MS} ms`);
        runtime.setTimeout(startMonitor, MONITOR_RESTART_MS);
      },
    });
    monitor = child;
    watchGrowth(child);
    if (!restarted) return;
    if (settle) runtime.clearTimeout(settle);
    settle = runtime.setTimeout(() => {
      settle = null;
      check('nft monitor restarted');
    }, MONITOR_SETTLE_MS);
  };
  startMonitor();

  return {
    stop() {
      stopped = true;
      if (periodic) runtime.clearTimeout(periodic);
      if (debounce) runtime.clearTimeout(debounce);
      if (growthTimer) runtime.clearTimeout(growthTimer);
      if (settle) runtime.clearTimeout(settle);
      monitor?.kill();
    },
  };
}
