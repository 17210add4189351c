// Process accounting from /proc: CPU time and resident memory of a server and every process it forked.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = readClockTicks();
const PAGE_BYTES = readPageSize();

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function readPageSize(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
}

interface Stat {
  ppid: number;
  /** user + system time, in clock ticks. */
  ticks: number;
  rssBytes: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may contain spaces and parentheses: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // proc(5): field 4 ppid, 14 utime, 15 stime, 24 rss; this array starts at field 3.
  return {
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
    rssBytes: Number(fields[21]) * PAGE_BYTES,
  };
}

/** `root` and all its live descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0 && out.length < 1000) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

export interface Usage {
  /** CPU seconds (user + system) of the process tree. */
  cpuSeconds: number;
  rssBytes: number;
  processes: number;
}

/**
 * CPU and RSS of a process tree. A worker that exits during the window takes its CPU time with it,
 * so the servers measured here keep their workers alive.
 */
export function usage(root: number): Usage {
  let ticks = 0;
  let rssBytes = 0;
  let processes = 0;
  for (const pid of processTree(root)) {
    const stat = readStat(pid);
    if (!stat) continue;
    ticks += stat.ticks;
    rssBytes += stat.rssBytes;
    processes++;
  }
  return { cpuSeconds: ticks / CLK_TCK, rssBytes, processes };
}
