// Long-running helpers (`nft monitor`, `ubus listen`, the MQTT transport) must not outlive the
// agent. QuickJS has no prctl(PR_SET_PDEATHSIG), and a shell wrapper around each helper costs two
// processes per helper; instead each helper is recorded (pid and kernel start time) in a file in
// the run directory while it runs, and the agent's next start ends those still alive: after a
// SIGKILL of the agent, procd starts it again at once. The start time tells a leftover helper from
// an unrelated process that has been given the same pid since. (socat and `openssl s_client
// -no_ign_eof` end by themselves when the agent's end of their stdin closes; `nft monitor` and
// `ubus listen` would linger until they next write.)
import type { ChildProcess, Runtime } from './runtime.ts';

/** The start time of a process (field 22 of /proc/<pid>/stat, clock ticks since boot), or null. */
export function startTimeOf(statText: string | null): string | null {
  if (statText === null) return null;
  // The command name (field 2) is in parentheses and may hold spaces and ')'.
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^[0-9]+$/.test(start) ? start : null;
}

/** The pids of a helpers file whose process still has the recorded start time. */
export function leftoverPids(fileText: string | null, readText: Runtime['readText']): number[] {
  const pids: number[] = [];
  for (const line of (fileText ?? '').split('\n')) {
    const match = /^([1-9][0-9]{0,9}) ([0-9]+)$/.exec(line);
    if (match && startTimeOf(readText(`/proc/${match[1]}/stat`)) === match[2])
      pids.push(Number(match[1]));
  }
  return pids;
}

export interface TiedChildren {
  /** The runtime whose spawn() records each helper in the file while it runs. */
  readonly runtime: Runtime;
  /** Ends the helpers a previous run left behind (as the file said when tieChildren was called);
   * returns their pids. */
  killLeftovers(): Promise<number[]>;
}

export function tieChildren(
  runtime: Runtime,
  file: string,
  onWriteError: (error: unknown) => void,
): TiedChildren {
  // Read before this run's first helper rewrites the file.
  const leftovers = leftoverPids(runtime.readText(file), runtime.readText);
  const running = new Map<number, string>();
  const save = (): void => {
    try {
      if (running.size === 0) runtime.removeFile(file);
      else
        runtime.writeTextAtomic(
          file,
          [...running].map(([pid, start]) => `${pid} ${start}\n`).join(''),
        );
    } catch (error) {
      onWriteError(error);
    }
  };
  const spawn: Runtime['spawn'] = (argv, handlers) => {
    let pid = 0;
    let exited = false;
    const child: ChildProcess = runtime.spawn(argv, {
      ...handlers,
      onExit: (code) => {
        exited = true;
        if (running.delete(pid)) save();
        handlers.onExit?.(code);
      },
    });
    pid = child.pid;
    // The child exists from fork on, and exec keeps its start time.
    const start = startTimeOf(runtime.readText(`/proc/${pid}/stat`));
    if (start !== null && !exited) {
      running.set(pid, start);
      save();
    }
    return child;
  };
  return {
    runtime: { ...runtime, spawn },
    async killLeftovers() {
      if (leftovers.length > 0)
        await runtime.run(['kill', ...leftovers.map(String)], { timeoutMs: 5000 });
      if (running.size === 0) runtime.removeFile(file);
      return leftovers;
    },
  };
}
