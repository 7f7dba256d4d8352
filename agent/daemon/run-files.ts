// The daemon's files in the run directory (tmpfs): its pid, its helpers' pids, its live status
// document, and the WAN devices it has seen (which one-shot commands add, so they never shrink
// the daemon's rules).
import { parseDeviceName } from '../policy/parse-policy.ts';
import type { Runtime } from '../runtime/runtime.ts';

export const PID_FILE = 'daemon.pid';
export const STATUS_FILE = 'status.json';
export const WAN_DEVICES_FILE = 'wan-devices';
/** The agent's long-running helpers while they run (runtime/tied-children.ts). */
export const HELPERS_FILE = 'helpers.pid';

/** The pid in the pid file, when that process is alive and is the agent. */
export function runningDaemonPid(runtime: Runtime, runDir: string): number | null {
  const text = runtime.readText(`${runDir}/${PID_FILE}`)?.trim() ?? '';
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return null;
  // A stale pid file may name a process that has nothing to do with us.
  const cmdline = runtime.readText(`/proc/${text}/cmdline`) ?? '';
  return cmdline.includes('op25b') ? Number(text) : null;
}

/** The running daemon's status document (JSON text), or null when no daemon runs. */
export function readLiveStatus(runtime: Runtime, runDir: string): string | null {
  if (runningDaemonPid(runtime, runDir) === null) return null;
  return runtime.readText(`${runDir}/${STATUS_FILE}`);
}

export function writeWanDevices(
  runtime: Runtime,
  runDir: string,
  devices: readonly string[],
): void {
  runtime.writeTextAtomic(`${runDir}/${WAN_DEVICES_FILE}`, devices.map((d) => `${d}\n`).join(''));
}

/** The WAN devices the running daemon has seen; none when no daemon runs. */
export function readWanDevices(runtime: Runtime, runDir: string): string[] {
  if (runningDaemonPid(runtime, runDir) === null) return [];
  const text = runtime.readText(`${runDir}/${WAN_DEVICES_FILE}`) ?? '';
  return text.split('\n').filter((line) => {
    try {
      return parseDeviceName(line) === line;
    } catch {
      return false;
    }
  });
}
