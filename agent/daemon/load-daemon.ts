// The daemon, loaded when `run` asks for it. In the QuickJS bundle this dynamic import is a file
// of its own (esbuild.config.ts splits the bundle there), so the one-shot commands (`apply` at
// every firewall reload, `status` for rpcd) never read or compile the daemon, its MQTT client
// and the Ed25519 code that only the daemon runs.
import type { runDaemon } from './run-daemon.ts';

export interface DaemonModule {
  runDaemon: typeof runDaemon;
}

export function loadDaemon(): Promise<DaemonModule> {
  return import('./run-daemon.ts');
}
