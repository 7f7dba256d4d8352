// The one interface through which the agent reaches the world. The core never imports a runtime
// adapter; main.ts (QuickJS) or a Node tool picks one and hands it down.

/** The outcome of a program run to completion. */
export interface RunResult {
  /** Exit status; 128 + n when killed by signal n; 127 when the program could not be started. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the run was killed because it outlived `timeoutMs`. */
  readonly timedOut: boolean;
}

export interface RunOptions {
  /** Written to the program's standard input, which is then closed. */
  readonly stdin?: string;
  /** Kill the program (SIGKILL) after this many milliseconds. Default 30 s. */
  readonly timeoutMs?: number;
}

/** Callbacks for a long-running child process, whose output arrives as it is written. */
export interface ChildHandlers {
  readonly onStdout?: (chunk: Uint8Array) => void;
  readonly onStderr?: (chunk: Uint8Array) => void;
  /** Called once, after the process was reaped and its output was read to the end. */
  readonly onExit?: (code: number) => void;
}

export interface ChildProcess {
  readonly pid: number;
  /** Queues bytes for the child's standard input; never blocks the event loop. */
  write(data: Uint8Array | string): void;
  /** Closes standard input once everything queued was written. */
  closeStdin(): void;
  /** Sends a signal (default SIGTERM). Harmless after the child exited. */
  kill(signal?: number): void;
}

export interface Timer {
  readonly __timer: unknown;
}

export type SignalName = 'TERM' | 'HUP' | 'INT';

export interface Runtime {
  /** 'quickjs' on routers, 'node' in tools and tests. */
  readonly name: 'quickjs' | 'node';
  /** Arguments after the script name. */
  readonly argv: readonly string[];
  env(name: string): string | undefined;

  /** Runs a program (argv[0] looked up in PATH) to completion. Never involves a shell. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts a long-running program whose standard streams are byte streams. */
  spawn(argv: readonly string[], handlers: ChildHandlers): ChildProcess;
  /** The full path of an executable found in PATH, or null. */
  findExecutable(name: string): string | null;

  /** The file's text (UTF-8), or null when it does not exist or cannot be read. */
  readText(path: string): string | null;
  /** Up to `length` bytes from the file's start (device tree values), or null. */
  readBytes(path: string, length: number): Uint8Array | null;
  /** Replaces the file atomically (write a temporary file, then rename). Throws on failure. */
  writeTextAtomic(path: string, text: string): void;
  /** Creates the directory and its parents. Throws on failure. */
  makeDirectory(path: string): void;
  /** Removes a file; a missing file is not an error. */
  removeFile(path: string): void;
  /** The names in a directory (no "." or ".."); empty when it does not exist. */
  listDirectory(path: string): string[];
  /**
   * Which file is at `path` ("device:inode:ctime" in ms), or null when nothing is there: tells a
   * file from one recreated under the same name (ubusd's socket after a restart). A stat, no read.
   */
  fileIdentity(path: string): string | null;

  setTimeout(callback: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
  /** Milliseconds since the epoch. */
  now(): number;
  onSignal(signal: SignalName, handler: () => void): void;

  /** Writes to standard output / standard error (text, UTF-8). */
  writeStdout(text: string): void;
  writeStderr(text: string): void;
  /** Flushes output and ends the process. */
  exit(code: number): never;
}
