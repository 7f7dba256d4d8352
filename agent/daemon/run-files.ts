// The daemon's files in the run directory (tmpfs): its pid and its live status document.
import type { Runtime } from '../runtime/runtime.ts';

export const PID_FILE = 'daemon.pid';
export const STATUS_FILE = 'status.json';

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
