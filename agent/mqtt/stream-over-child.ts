// A readable-stream Duplex over a child process: what is written goes to the program's stdin,
// what it prints on stdout is read. MQTT.js uses it as its connection, with socat or openssl
// s_client (transport-command.ts) holding the real socket.
//
// - allowHalfOpen false: when the program's output ends (it exited: the broker closed, or the
//   connection failed), the stream ends both ways at once, so MQTT.js notices a dead link
//   immediately instead of at its next write.
// - _writev: MQTT.js (mqtt-packet) corks the stream for each packet, and writev hands the whole
//   packet to the program in one write(2) instead of one per field.
// - end(): closes the program's stdin once everything queued is written (socat then half-closes
//   the socket, so the broker still receives a DISCONNECT written just before), and kills the
//   program if it has not exited after `endGraceMs`.
// - destroy(): kills the program (SIGTERM, SIGKILL after `killGraceMs`); 'close' is emitted once
//   it has exited, so after 'close' no transport process is left.
// - The program's exit ends the stream; a failure (non-zero exit we did not cause) destroys it
//   with an Error whose `code` says why (transport-command.ts), which MQTT.js reports as 'error'.
//
// No read backpressure: the runtime delivers the program's output as it comes and it is pushed
// on. Nor write backpressure: writes are queued in the runtime. MQTT control traffic is small.
import type { ChildProcess, Runtime, Timer } from '../runtime/runtime.ts';
import { loadPackages, type Packages } from '../vendor/load-packages.ts';
import type { Duplex, WriteChunk } from '../vendor/packages.js';
import { describeTransportFailure, type TransportErrorCode } from './transport-command.ts';

const SIGTERM = 15;
const SIGKILL = 9;
/** How much of the program's stderr is kept for error messages. */
const STDERR_KEEP = 4096;

export type ChildStreamRuntime = Pick<Runtime, 'spawn' | 'setTimeout' | 'clearTimeout'>;

export interface ChildStreamOptions {
  /** After end(), how long the program may take to exit before it is killed. Default 2000 ms. */
  readonly endGraceMs?: number;
  /** After SIGTERM, how long before SIGKILL. Default 1000 ms. */
  readonly killGraceMs?: number;
  /**
   * Sees the program's output before it is read from the stream and returns what is read
   * instead (packet-size-guard.ts); throwing destroys the stream with that error.
   */
  readonly inbound?: (chunk: Uint8Array) => Uint8Array[];
}

export interface TransportError extends Error {
  readonly code: TransportErrorCode;
  /** The transport program's exit code. */
  readonly exitCode: number;
}

type Callback = (error?: Error | null) => void;

export interface ChildProcessStream extends Duplex {
  readonly argv: readonly string[];
  readonly pid: number;
  /** The program's exit code, once it has exited. */
  exitCode: number | undefined;
  /** The error the stream was destroyed with: a transport failure, or one of mqtt-packet's. */
  destroyError: Error | null;
  /** The last few KB the program wrote on stderr. */
  readonly stderrText: string;
}

type ChildProcessStreamClass = new (
  runtime: ChildStreamRuntime,
  argv: readonly string[],
  options?: ChildStreamOptions,
) => ChildProcessStream;

let streamClass: ChildProcessStreamClass | null = null;

/** Starts the program and returns the stream over it. */
export function createChildProcessStream(
  runtime: ChildStreamRuntime,
  argv: readonly string[],
  options: ChildStreamOptions = {},
): ChildProcessStream {
  // The class extends readable-stream's Duplex, which is loaded on first use (load-packages.ts).
  streamClass ??= defineStreamClass(loadPackages());
  return new streamClass(runtime, argv, options);
}

function defineStreamClass({ Duplex, Buffer }: Packages): ChildProcessStreamClass {
  return class ChildProcessStream extends Duplex {
    readonly argv: readonly string[];
    readonly pid: number;
    /** The program's exit code, once it has exited. */
    exitCode: number | undefined;
    /** The error the stream was destroyed with: a transport failure, or one of mqtt-packet's. */
    destroyError: Error | null = null;
    #stderr = '';
    readonly #child: ChildProcess;
    readonly #runtime: ChildStreamRuntime;
    readonly #endGraceMs: number;
    readonly #killGraceMs: number;
    #stopping = false; // we asked it to end (end() or destroy()): its exit is no failure
    #timer: Timer | undefined;
    #onExit: (() => void) | undefined; // a destroy() waiting for the program to exit

    constructor(
      runtime: ChildStreamRuntime,
      argv: readonly string[],
      options: ChildStreamOptions = {},
    ) {
      super({ allowHalfOpen: false, emitClose: true, autoDestroy: true, decodeStrings: true });
      this.argv = [...argv];
      this.#runtime = runtime;
      this.#endGraceMs = options.endGraceMs ?? 2000;
      this.#killGraceMs = options.killGraceMs ?? 1000;
      this.#child = runtime.spawn(argv, {
        onStdout: (chunk) => {
          if (this.destroyed) return;
          let chunks = [chunk];
          try {
            if (options.inbound) chunks = options.inbound(chunk);
          } catch (error) {
            this.destroy(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          for (const c of chunks)
            this.push(Buffer.from(c.buffer as ArrayBuffer, c.byteOffset, c.length));
        },
        onStderr: (chunk) => {
          this.#stderr = (this.#stderr + latin1(chunk)).slice(-STDERR_KEEP);
        },
        onExit: (code) => this.#exited(code),
      });
      this.pid = this.#child.pid;
    }

    /** The last few KB the program wrote on stderr. */
    get stderrText(): string {
      return this.#stderr;
    }

    override _read(): void {
      // Output is pushed as the runtime delivers it; there is no way to pause the program.
    }

    override _write(chunk: Uint8Array, _encoding: string, callback: Callback): void {
      this.#child.write(new Uint8Array(chunk)); // a copy: the runtime queues it until written
      callback();
    }

    override _writev(chunks: WriteChunk[], callback: Callback): void {
      let length = 0;
      for (const { chunk } of chunks) length += chunk.length;
      const bytes = new Uint8Array(length);
      let offset = 0;
      for (const { chunk } of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      this.#child.write(bytes);
      callback();
    }

    override _final(callback: Callback): void {
      if (this.exitCode === undefined) {
        this.#stopping = true;
        this.#child.closeStdin();
        this.#arm(this.#endGraceMs, () => this.#kill());
      }
      callback();
    }

    override _destroy(error: Error | null, callback: Callback): void {
      this.destroyError = error;
      if (this.exitCode !== undefined) return callback(error);
      this.#onExit = () => callback(error);
      this.#kill();
    }

    #kill(): void {
      if (this.exitCode !== undefined) return;
      this.#stopping = true;
      this.#child.kill(SIGTERM);
      this.#arm(this.#killGraceMs, () => {
        this.#child.kill(SIGKILL);
        // SIGKILL cannot be refused; should the exit still not be seen, do not hold 'close' forever.
        this.#arm(this.#killGraceMs, () => this.#exited(128 + SIGKILL));
      });
    }

    #arm(ms: number, fire: () => void): void {
      this.#disarm();
      // Runtime timers stay alive until they fire (see agent/runtime/quickjs/timers.ts).
      this.#timer = this.#runtime.setTimeout(() => {
        this.#timer = undefined;
        fire();
      }, ms);
    }

    #disarm(): void {
      if (this.#timer === undefined) return;
      this.#runtime.clearTimeout(this.#timer);
      this.#timer = undefined;
    }

    #exited(code: number): void {
      if (this.exitCode !== undefined) return;
      this.exitCode = code;
      this.#disarm();
      const waiting = this.#onExit;
      this.#onExit = undefined;
      if (waiting) return waiting();
      if (this.destroyed) return;
      if (code !== 0 && !this.#stopping) {
        const program = this.argv[0] === 'openssl' ? 'openssl s_client' : (this.argv[0] ?? '?');
        const failure = describeTransportFailure(program, code, this.#stderr);
        const error: TransportError = Object.assign(new Error(failure.message), {
          code: failure.code,
          exitCode: code,
        });
        this.destroy(error);
      } else this.push(null); // end of data; with allowHalfOpen false the stream then closes
    }
  };
}

/** Bytes as text for error messages, one char per byte (stderr of socat/openssl is ASCII). */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096)
    text += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 4096)));
  return text;
}
