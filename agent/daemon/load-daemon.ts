// The daemon, loaded when `run` asks for it. Under Node this is a plain import. The QuickJS
// bundle replaces this file (build/esbuild-qjs-options.ts): the daemon's own code, MQTT.js and
// the other npm packages travel as a string evaluated only by `run`, so that the one-shot
// commands (`apply` at every firewall reload, `status` for rpcd) do not compile ~240 KB of code
// they never run at every start.
import { runDaemon } from './run-daemon.ts';

export interface DaemonModule {
  runDaemon: typeof runDaemon;
}

export function loadDaemon(): DaemonModule {
  return { runDaemon };
}
