// `ubus listen <type>...` as a long-running child: one event a line, handed over parsed. When
// the child ends (ubusd restarted, say), it is started again after a delay that doubles up to a
// cap; onStart tells the owner each time, since events may have been missed in between.
import type { ChildProcess, Runtime, Timer } from '../runtime/runtime.ts';
import { lineSplitter } from '../encoding/lines.ts';
import { parseEventLine, type UbusEvent } from './ubus-event.ts';

export interface ListenOptions {
  /** Called after each start of the listener process. */
  readonly onStart?: () => void;
  /** Called when the process ended, with its exit code and the delay before the next start. */
  readonly onExit?: (code: number, restartMs: number) => void;
  /** First restart delay (default 1 s); doubles up to 30 s, back to the first after a good run. */
  readonly restartMs?: number;
}

export interface UbusListener {
  stop(): void;
}

const MAX_RESTART_MS = 30_000;

export function listenUbus(
  runtime: Runtime,
  types: readonly string[],
  handler: (event: UbusEvent) => void,
  options: ListenOptions = {},
): UbusListener {
  const firstDelay = options.restartMs ?? 1000;
  let delay = firstDelay;
  let stopped = false;
  let child: ChildProcess | null = null;
  let timer: Timer | null = null;

  const start = (): void => {
    timer = null;
    if (stopped) return;
    const startedAt = runtime.now();
    const lines = lineSplitter((line) => {
      const event = parseEventLine(line);
      if (event && !stopped) handler(event);
    });
    // The daemon's runtime records it (runtime/tied-children.ts): an orphaned listener would
    // otherwise live on until the next event.
    child = runtime.spawn(['ubus', 'listen', ...types], {
      onStdout: (chunk) => lines.push(chunk),
      onExit: (code) => {
        child = null;
        if (stopped) return;
        if (runtime.now() - startedAt >= MAX_RESTART_MS) delay = firstDelay;
        options.onExit?.(code, delay);
        timer = runtime.setTimeout(start, delay);
        delay = Math.min(delay * 2, MAX_RESTART_MS);
      },
    });
    options.onStart?.();
  };
  start();

  return {
    stop() {
      stopped = true;
      if (timer) runtime.clearTimeout(timer);
      timer = null;
      child?.kill();
    },
  };
}
