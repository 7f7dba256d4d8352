// Levelled log lines. The sink decides where they go (stderr for the CLI; stdout and stderr under
// procd, which forwards a service's output to syslog; or syslog through `logger`).
import type { LogLevel } from '../config/daemon-settings.ts';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogSink = (level: LogLevel, message: string) => void;

export function createLogger(sink: LogSink, level: LogLevel): Logger {
  const at =
    (l: LogLevel) =>
    (message: string): void => {
      if (RANK[l] <= RANK[level]) sink(l, message.replace(/\n/g, ' '));
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** `op25b: <level>: <message>` lines on stderr. */
export function stderrSink(write: (text: string) => void): LogSink {
  return (level, message) => write(`op25b: ${level}: ${message}\n`);
}

/**
 * For a service under procd with `stdout 1` and `stderr 1`: procd logs each stdout line at
 * priority info and each stderr line at err, so info and debug go to stdout. No child process.
 */
export function procdSink(
  writeStdout: (text: string) => void,
  writeStderr: (text: string) => void,
): LogSink {
  return (level, message) =>
    (RANK[level] <= RANK.warn ? writeStderr : writeStdout)(`${level}: ${message}\n`);
}
