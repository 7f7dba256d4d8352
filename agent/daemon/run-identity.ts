// Who this run of the daemon is: its pid (for the PID file) and a boot id, new at every start,
// that the presence and status messages carry so the ISP sees a restart.
import type { Runtime } from '../runtime/runtime.ts';

export function ownPid(runtime: Runtime): string {
  // /proc/self is the reader: qjs itself (QuickJS 2021-03-27 has no os.getpid).
  return (runtime.readText('/proc/self/stat') ?? '').split(' ')[0] ?? '';
}

export function randomId(runtime: Runtime): string {
  const uuid = runtime.readText('/proc/sys/kernel/random/uuid')?.trim().replace(/-/g, '');
  return uuid && /^[0-9a-f]{32}$/.test(uuid)
    ? uuid.slice(0, 16)
    : Math.random().toString(16).slice(2).padEnd(16, '0').slice(0, 16);
}
