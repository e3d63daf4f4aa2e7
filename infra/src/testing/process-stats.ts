import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/<pid>/stat times (100 on Linux on every common architecture). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * A process's resident memory now (VmRSS) and its peak (VmHWM, the kernel's high-water mark), in
 * bytes, from /proc/<pid>/status; undefined when there is no such process (or no /proc).
 */
export function processMemory(pid: number | undefined): { rss: number; hwm: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const bytes = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: bytes('VmRSS'), hwm: bytes('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; undefined when
 * there is no such process (or no /proc).
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
