import { readFileSync } from 'node:fs';

const ticksPerSecond = 100;

/**
 * CPU seconds a process has used so far (all its threads, user + system), from /proc; undefined where there is no
 * /proc. Unlike throughput, this barely moves when other programs compete for the cores.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}
