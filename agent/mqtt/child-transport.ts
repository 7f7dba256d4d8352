// The MQTT connection's byte stream: a transport program (socat for mqtt://, openssl s_client
// for mqtts://, transport-command.ts) that holds the real socket; what is written goes to its
// stdin, what it prints on stdout is the broker's bytes.
//
// - write(): one runtime write per call (the client writes one packet, or a batch, at a time).
// - end(): closes the program's stdin once everything queued is written (socat then half-closes
//   the socket, so the broker still receives a DISCONNECT written just before), and kills the
//   program if it has not exited after `endGraceMs`.
// - destroy(): kills the program (SIGTERM, SIGKILL after `killGraceMs`).
// - onClose runs once, after the program has exited, so no transport process is left: with the
//   error passed to destroy(), or a coded error (transport-command.ts) when the program failed
//   on its own (a non-zero exit not caused here), else null.
//
// No backpressure either way: the runtime delivers the program's output as it comes and queues
// writes until written. MQTT control traffic is small, and inbound packets are bounded
// (packet-size-guard.ts).
import type { ChildProcess, Runtime, Timer } from '../runtime/runtime.ts';
import { describeTransportFailure, type TransportErrorCode } from './transport-command.ts';

const SIGTERM = 15;
const SIGKILL = 9;
/** How much of the program's stderr is kept for error messages. */
const STDERR_KEEP = 4096;

export type ChildStreamRuntime = Pick<Runtime, 'spawn' | 'setTimeout' | 'clearTimeout'>;

export interface ChildTransportOptions {
  /** After end(), how long the program may take to exit before it is killed. Default 2000 ms. */
  readonly endGraceMs?: number;
  /** After SIGTERM, how long before SIGKILL. Default 1000 ms. */
  readonly killGraceMs?: number;
}

export interface ChildTransportEvents {
  /** Bytes the program printed (the broker's); not called once destroy() ran. */
  onData(chunk: Uint8Array): void;
  /** Once, after the program exited. */
  onClose(error: Error | null): void;
}

export interface TransportError extends Error {
  readonly code: TransportErrorCode;
  /** The transport program's exit code. */
  readonly exitCode: number;
}

export class ChildTransport {
  readonly argv: readonly string[];
  readonly pid: number;
  /** The program's exit code, once it has exited. */
  exitCode: number | undefined;
  private stderrBuffer = '';
  private readonly child: ChildProcess;
  private readonly runtime: ChildStreamRuntime;
  private readonly events: ChildTransportEvents;
  private readonly endGraceMs: number;
  private readonly killGraceMs: number;
  private stopping = false; // we asked it to end (end() or destroy()): its exit is no failure
  private ended = false; // stdin closed: nothing more is written
  private destroyed = false; // killed: nothing more is read
  private closeError: Error | null = null;
  private timer: Timer | undefined;

  constructor(
    runtime: ChildStreamRuntime,
    argv: readonly string[],
    events: ChildTransportEvents,
    options: ChildTransportOptions = {},
  ) {
    this.argv = [...argv];
    this.runtime = runtime;
    this.events = events;
    this.endGraceMs = options.endGraceMs ?? 2000;
    this.killGraceMs = options.killGraceMs ?? 1000;
    this.child = runtime.spawn(argv, {
      onStdout: (chunk) => {
        if (!this.destroyed && this.exitCode === undefined) this.events.onData(chunk);
      },
      onStderr: (chunk) => {
        this.stderrBuffer = (this.stderrBuffer + latin1(chunk)).slice(-STDERR_KEEP);
      },
      onExit: (code) => this.exited(code),
    });
    this.pid = this.child.pid;
  }

  /** The last few KB the program wrote on stderr. */
  get stderrText(): string {
    return this.stderrBuffer;
  }

  /** Whether write() still sends: neither end() nor destroy() ran, and the program runs. */
  get writable(): boolean {
    return !this.ended && !this.destroyed && this.exitCode === undefined;
  }

  write(bytes: Uint8Array): void {
    if (this.writable) this.child.write(bytes);
  }

  end(): void {
    if (!this.writable) return;
    this.ended = true;
    this.stopping = true;
    this.child.closeStdin();
    this.arm(this.endGraceMs, () => this.kill());
  }

  destroy(error: Error | null = null): void {
    if (this.destroyed || this.exitCode !== undefined) return;
    this.destroyed = true;
    this.closeError = error;
    this.kill();
  }

  private kill(): void {
    if (this.exitCode !== undefined) return;
    this.stopping = true;
    this.child.kill(SIGTERM);
    this.arm(this.killGraceMs, () => {
      this.child.kill(SIGKILL);
      // SIGKILL cannot be refused; should the exit still not be seen, do not hold onClose forever.
      this.arm(this.killGraceMs, () => this.exited(128 + SIGKILL));
    });
  }

  private arm(ms: number, fire: () => void): void {
    this.disarm();
    // Runtime timers stay alive until they fire (see agent/runtime/quickjs/timers.ts).
    this.timer = this.runtime.setTimeout(() => {
      this.timer = undefined;
      fire();
    }, ms);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.runtime.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private exited(code: number): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    this.disarm();
    let error = this.closeError;
    if (!error && code !== 0 && !this.stopping) {
      const program = this.argv[0] === 'openssl' ? 'openssl s_client' : (this.argv[0] ?? '?');
      const failure = describeTransportFailure(program, code, this.stderrBuffer);
      const failed: TransportError = Object.assign(new Error(failure.message), {
        code: failure.code,
        exitCode: code,
      });
      error = failed;
    }
    this.events.onClose(error);
  }
}

/** Bytes as text for error messages, one char per byte (stderr of socat/openssl is ASCII). */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096)
    text += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 4096)));
  return text;
}
