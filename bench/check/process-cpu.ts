import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = 100;

/** Which part of a process's CPU time: in its own code (user), in the kernel on its behalf (system), or both. */
export type CpuPart = 'user' | 'system' | 'both';

/**
 * CPU seconds a process has used so far (all its threads), from /proc; undefined where there is no /proc. Unlike
 * throughput, this barely moves when other programs compete for the cores.
 */
export function processCpuSeconds(pid: number | undefined, part: CpuPart = 'both'): number | undefined {
  return pid === undefined ? undefined : statCpuSeconds(`/proc/${pid}/stat`, part);
}

/** CPU seconds of each thread of a process so far, by thread id; empty where there is no /proc. */
export function threadCpuSeconds(pid: number | undefined): Map<number, number> {
  const threads = new Map<number, number>();
  if (pid === undefined) return threads;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const seconds = statCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
      if (seconds !== undefined) threads.set(Number(tid), seconds);
    }
  } catch {
    // the process is gone
  }
  return threads;
}

/** The process whose command line names `text` (a private server's data directory), if any. */
export function pidWithCommandLine(text: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** The processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid; // field 4: the parent's pid
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** From a /proc stat file: a process's (/proc/<pid>/stat) or one thread's (/proc/<pid>/task/<tid>/stat). */
function statCpuSeconds(path: string, part: CpuPart = 'both'): number | undefined {
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]) / ticksPerSecond;
    const system = Number(fields[12]) / ticksPerSecond;
    return part === 'user' ? user : part === 'system' ? system : user + system;
  } catch {
    return undefined;
  }
}
