// Child processes under QuickJS: os.exec with pipes, read and write handlers on the event loop,
// and reaping driven by SIGCHLD (QuickJS has no child-exit callback of its own).
import * as os from 'os';
import type { ChildHandlers, ChildProcess } from '../runtime.ts';
import { encodeUtf8 } from '../../encoding/utf8.ts';
import { clearRootedTimeout, setRootedTimeout } from './timers.ts';

const SIGPIPE = 13;
const SIGCHLD = 17;
const SIGTERM = 15;
const CHUNK = 4096; // <= PIPE_BUF: a write after poll() said "writable" cannot block
// When a program exits but a grandchild still holds its pipes, stop waiting for EOF after this.
const EOF_GRACE_MS = 200;

interface Tracked {
  readonly pid: number;
  reap(status: number): void;
}

const children = new Map<number, Tracked>();
let installed = false;

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  // A handler (not SIG_IGN, which children would inherit) turns SIGPIPE into EPIPE from write().
  os.signal(SIGPIPE, () => {});
  os.signal(SIGCHLD, () => {
    for (const child of [...children.values()]) {
      const [pid, status] = os.waitpid(child.pid, os.WNOHANG);
      if (pid === child.pid) child.reap(status);
    }
  });
}

/** Converts a wait(2) status to a shell-style exit code. */
export function exitCodeOf(status: number): number {
  const signal = status & 0x7f;
  return signal === 0 ? (status >> 8) & 0xff : 128 + signal;
}

export function spawnChild(argv: readonly string[], handlers: ChildHandlers): ChildProcess {
  installSignalHandlers();
  const stdinPipe = os.pipe();
  const stdoutPipe = os.pipe();
  const stderrPipe = os.pipe();
  if (!stdinPipe || !stdoutPipe || !stderrPipe) throw new Error('os.pipe failed');
  const [inRead, inWrite] = stdinPipe;
  const [outRead, outWrite] = stdoutPipe;
  const [errRead, errWrite] = stderrPipe;

  const pid = os.exec([...argv], {
    block: false,
    usePath: true,
    stdin: inRead,
    stdout: outWrite,
    stderr: errWrite,
  });
  os.close(inRead);
  os.close(outWrite);
  os.close(errWrite);

  let openStreams = 2;
  let exitCode: number | undefined;
  let notified = false;
  let graceTimer: os.TimerHandle | undefined;
  const buffer = new ArrayBuffer(CHUNK * 4);

  const finish = (): void => {
    if (notified) return;
    if (exitCode === undefined) {
      // Output is done but the exit was not seen yet. Signal handlers do not keep QuickJS's
      // event loop alive, so poll with a timer until the child is reaped.
      if (openStreams === 0) pollExit(1);
      return;
    }
    if (openStreams > 0) {
      // Exited, but the pipes are still open (held by a grandchild): give them a moment.
      if (graceTimer === undefined)
        graceTimer = setRootedTimeout(() => {
          closeReader(outRead);
          closeReader(errRead);
        }, EOF_GRACE_MS);
      return;
    }
    notified = true;
    if (graceTimer !== undefined) clearRootedTimeout(graceTimer);
    handlers.onExit?.(exitCode);
  };

  const pollExit = (ms: number): void => {
    setRootedTimeout(() => {
      if (exitCode !== undefined) return;
      const [done, status] = os.waitpid(pid, os.WNOHANG);
      if (done === pid) children.get(pid)?.reap(status);
      else pollExit(Math.min(ms * 2, 50));
    }, ms);
  };

  const closed = new Set<number>();
  const closeReader = (fd: number): void => {
    if (closed.has(fd)) return;
    closed.add(fd);
    os.setReadHandler(fd, null);
    os.close(fd);
    openStreams--;
    finish();
  };

  const reader = (fd: number, deliver?: (chunk: Uint8Array) => void) => () => {
    const n = os.read(fd, buffer, 0, buffer.byteLength);
    if (n <= 0) closeReader(fd);
    else deliver?.(new Uint8Array(buffer.slice(0, n)));
  };
  os.setReadHandler(outRead, reader(outRead, handlers.onStdout));
  os.setReadHandler(errRead, reader(errRead, handlers.onStderr));

  // Standard input: a queue drained by a write handler, so a slow reader never blocks the loop.
  const queue: Uint8Array[] = [];
  let stdinOpen = true;
  let closeWhenDrained = false;
  const closeWriter = (): void => {
    if (!stdinOpen) return;
    stdinOpen = false;
    queue.length = 0;
    os.setWriteHandler(inWrite, null);
    os.close(inWrite);
  };
  const drain = (): void => {
    const head = queue[0];
    if (!head) {
      os.setWriteHandler(inWrite, null);
      if (closeWhenDrained) closeWriter();
      return;
    }
    const n = Math.min(head.length, CHUNK);
    const copy = head.slice(0, n);
    const written = os.write(inWrite, copy.buffer, 0, n);
    if (written < 0) return closeWriter(); // EPIPE: the child stopped reading
    if (written === head.length) queue.shift();
    else queue[0] = head.subarray(written);
  };

  children.set(pid, {
    pid,
    reap: (status) => {
      children.delete(pid);
      exitCode = exitCodeOf(status);
      closeWriter();
      finish();
    },
  });
  // The child may have exited before SIGCHLD's handler could see it in the map.
  const [early, earlyStatus] = os.waitpid(pid, os.WNOHANG);
  if (early === pid) children.get(pid)?.reap(earlyStatus);

  return {
    pid,
    write(data) {
      if (!stdinOpen || closeWhenDrained) return;
      const bytes = typeof data === 'string' ? encodeUtf8(data) : data;
      if (bytes.length === 0) return;
      queue.push(bytes);
      os.setWriteHandler(inWrite, drain);
    },
    closeStdin() {
      if (!stdinOpen) return;
      closeWhenDrained = true;
      if (queue.length === 0) closeWriter();
    },
    kill(signal = SIGTERM) {
      if (exitCode === undefined) os.kill(pid, signal);
    },
  };
}
