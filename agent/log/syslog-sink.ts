// Log lines to syslog the way OpenWrt's scripts do it: `logger -t op25b -p daemon.<level>`, one
// long-running logger per level, started at its first line and fed one line per message on its
// standard input (BusyBox's and util-linux's logger both log each line they read). Without a
// `logger` program the lines go to stderr.
import type { LogLevel } from '../config/daemon-settings.ts';
import type { ChildProcess, Runtime } from '../runtime/runtime.ts';
import { procdSink, stderrSink, type LogSink } from './logger.ts';

export const SYSLOG_TAG = 'op25b';
const PRIORITY: Record<LogLevel, string> = {
  error: 'err',
  warn: 'warning',
  info: 'info',
  debug: 'debug',
};
/** How long close() waits for the loggers to write what they were given. */
const CLOSE_WAIT_MS = 2000;

export interface LogOutput {
  readonly sink: LogSink;
  /** Ends the output, once what was logged has been handed on. */
  close(): Promise<void>;
}

export function stderrOutput(runtime: Runtime): LogOutput {
  return { sink: stderrSink(runtime.writeStderr), close: () => Promise.resolve() };
}

export function procdOutput(runtime: Runtime): LogOutput {
  return {
    sink: procdSink(runtime.writeStdout, runtime.writeStderr),
    close: () => Promise.resolve(),
  };
}

export function syslogOutput(runtime: Runtime): LogOutput {
  const fallback = stderrSink(runtime.writeStderr);
  const children = new Map<LogLevel, ChildProcess>();
  let missing = false;
  let closed: (() => void) | null = null;

  const start = (level: LogLevel): ChildProcess | null => {
    if (missing || !runtime.findExecutable('logger')) return null;
    const child = runtime.spawn(['logger', '-t', SYSLOG_TAG, '-p', `daemon.${PRIORITY[level]}`], {
      onExit: (code) => {
        if (children.get(level) === child) children.delete(level);
        if (code === 127 && !missing) {
          missing = true;
          fallback('warn', 'logger cannot run: logging to stderr');
        }
        if (children.size === 0) closed?.();
      },
    });
    children.set(level, child);
    return child;
  };

  return {
    sink(level, message) {
      const child = children.get(level) ?? start(level);
      if (child) child.write(`${message}\n`);
      else fallback(level, message);
    },
    close() {
      if (children.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = runtime.setTimeout(resolve, CLOSE_WAIT_MS);
        closed = () => {
          runtime.clearTimeout(timer);
          resolve();
        };
        for (const child of children.values()) child.closeStdin();
      });
    },
  };
}
