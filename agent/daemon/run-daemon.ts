// `run`: the daemon. Enforces at once (the stored desired state, else the config's policy),
// then follows the ISP over MQTT, repairs rules that someone else removed, reports its status,
// reloads on SIGHUP and exits cleanly on SIGTERM. The rules stay in the kernel when it stops.
// This file is the process around it (daemon.ts): start, then the signals.
import type { Runtime } from '../runtime/runtime.ts';
import { Daemon, type DaemonOptions } from './daemon.ts';

export type { DaemonOptions } from './daemon.ts';

/** Not async: a bad config throws here, synchronously (see run-cli.ts). */
export function runDaemon(
  runtime: Runtime,
  configPath: string,
  options: DaemonOptions = {},
): Promise<number> {
  const daemon = new Daemon(runtime, configPath, options);
  return daemon.start().then(
    () =>
      new Promise<number>((resolve) => {
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          void daemon.stop().then(() => resolve(0));
        };
        runtime.onSignal('TERM', stop);
        runtime.onSignal('INT', stop);
        runtime.onSignal('HUP', () => void daemon.reload());
      }),
  );
}
