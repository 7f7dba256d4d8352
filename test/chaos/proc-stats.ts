// A process's memory and CPU, from /proc: how the daemon paid for what it was sent.
import { readFileSync, writeFileSync } from 'node:fs';

export interface ProcStats {
  /** Resident set now, and its peak (VmHWM), in kB. */
  readonly rssKb: number;
  readonly peakRssKb: number;
  /** User + system CPU of the process and its reaped children, in ms. */
  readonly cpuMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function procStats(pid: number): ProcStats | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" of the command name: state is field 3, utime 14 ... cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    const kb = (key: string): number =>
      Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    return { rssKb: kb('VmRSS'), peakRssKb: kb('VmHWM'), cpuMs: ticks * TICK_MS };
  } catch {
    return null;
  }
}

/** Resets the peak RSS (VmHWM) of a process, so a phase measures its own peak. */
export function resetPeakRss(pid: number): void {
  try {
    // Writing 5 to clear_refs resets the peak resident set size (Linux >= 4.0).
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not supported: the peak then covers the whole run
  }
}
