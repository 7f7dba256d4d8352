// `ubus listen <type>...` as a long-running child: one event a line, handed over parsed. When
// the child ends, it is started again after a delay that doubles up to a cap; onStart tells the
// owner each time, since events may have been missed in between. The real CLI does not end when
// ubusd goes away (it waits for ever, deaf): the owner finds that out and calls restart().
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
  /** Replaces the listener process with a new one now (onStart follows). */
  restart(): void;
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
    const own: ChildProcess = runtime.spawn(['ubus', 'listen', ...types], {
      onStdout: (chunk) => {
        if (child === own) lines.push(chunk);
      },
      onExit: (code) => {
        if (child !== own) return; // replaced by restart()
        child = null;
        if (stopped) return;
        if (runtime.now() - startedAt >= MAX_RESTART_MS) delay = firstDelay;
        options.onExit?.(code, delay);
        timer = runtime.setTimeout(start, delay);
        delay = Math.min(delay * 2, MAX_RESTART_MS);
      },
    });
    child = own;
    options.onStart?.();
  };
  start();

  return {
    restart() {
      if (stopped) return;
      const old = child;
      child = null;
      old?.kill();
      if (timer) runtime.clearTimeout(timer);
      delay = firstDelay;
      start();
    },
    stop() {
      stopped = true;
      if (timer) runtime.clearTimeout(timer);
      timer = null;
      child?.kill();
    },
  };
}
