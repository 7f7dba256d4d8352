// The daemon's files in the run directory (tmpfs): its pid, its helpers' pids, its live status
// document, and the WAN devices seen: the one list that the daemon and the one-shot commands
// share. Each adds to it and reads it before it writes rules, so neither ever takes out a device
// of the other.
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

/** The devices in the file, whoever runs (the daemon reads what one-shot commands added). */
export function readWanDevicesFile(runtime: Runtime, runDir: string): string[] {
  const text = runtime.readText(`${runDir}/${WAN_DEVICES_FILE}`) ?? '';
  return text.split('\n').filter((line) => {
    try {
      return parseDeviceName(line) === line;
    } catch {
      return false;
    }
  });
}

/** The WAN devices the running daemon has seen; none when no daemon runs. */
export function readWanDevices(runtime: Runtime, runDir: string): string[] {
  if (runningDaemonPid(runtime, runDir) === null) return [];
  return readWanDevicesFile(runtime, runDir);
}

/**
 * A one-shot command that applied rules with these WAN devices adds them to the running
 * daemon's list (re-read just before), so the daemon's next check keeps them. No daemon: nothing.
 */
export function addWanDevices(runtime: Runtime, runDir: string, devices: readonly string[]): void {
  if (runningDaemonPid(runtime, runDir) === null) return;
  const known = readWanDevicesFile(runtime, runDir);
  const added = devices.filter((d) => !known.includes(d));
  if (added.length) writeWanDevices(runtime, runDir, [...known, ...added].sort());
}
