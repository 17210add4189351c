// The machine description printed with every result: numbers mean little without it.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export function machine(): string[] {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const memGiB = (totalmem() / 1024 ** 3).toFixed(1);
  return [
    `${availableParallelism()} CPUs (nproc), ${model}`,
    `${memGiB} GiB memory, Node ${process.version}, ${process.platform} ${process.arch}`,
    `load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (other work on the machine makes absolute numbers noisy)`,
  ];
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
