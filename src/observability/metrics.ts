// Prometheus text exposition format 0.0.4: a tiny registry of labelled counters and histograms.

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  /** The current value for exactly these labels (tests, /readyz). */
  get(labels?: Labels): number;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
}

export interface Metrics {
  counter(name: string, help: string): Counter;
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  /** Everything registered, in the text format `/metrics` serves. */
  render(): string;
}

/** Seconds; covers a fast JSON answer (~1 ms) up to a slow argon2id sign-in under load. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Family {
  render(): string[];
}

/** A registry owned by one server (ARCHITECTURE.md rule 3: no process-wide registry). */
export function createMetrics(): Metrics {
  const families = new Map<string, Family & { kind: 'counter' | 'histogram'; value: Counter | Histogram }>();

  function check(name: string): void {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
  }

  return {
    counter(name, help) {
      const existing = families.get(name);
      if (existing) {
        if (existing.kind !== 'counter') throw new Error(`${name} is already a ${existing.kind}`);
        return existing.value as Counter;
      }
      check(name);
      const values = new Map<string, number>();
      const counter: Counter = {
        inc(labels = {}, by = 1) {
          const key = labelText(labels);
          values.set(key, (values.get(key) ?? 0) + by);
        },
        get(labels = {}) {
          return values.get(labelText(labels)) ?? 0;
        },
      };
      families.set(name, {
        kind: 'counter',
        value: counter,
        render: () => [
          `# HELP ${name} ${escapeHelp(help)}`,
          `# TYPE ${name} counter`,
          ...[...values].map(([labels, v]) => `${name}${labels} ${v}`),
        ],
      });
      return counter;
    },

    histogram(name, help, buckets) {
      const existing = families.get(name);
      if (existing) {
        if (existing.kind !== 'histogram') throw new Error(`${name} is already a ${existing.kind}`);
        return existing.value as Histogram;
      }
      check(name);
      const sorted = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
      const histogram: Histogram = {
        observe(labels, value) {
          const key = labelText(labels);
          let s = series.get(key);
          if (!s) {
            s = { labels, counts: sorted.map(() => 0), sum: 0, count: 0 };
            series.set(key, s);
          }
          for (let i = 0; i < sorted.length; i++) if (value <= (sorted[i] as number)) s.counts[i] = (s.counts[i] ?? 0) + 1;
          s.sum += value;
          s.count += 1;
        },
      };
      families.set(name, {
        kind: 'histogram',
        value: histogram,
        render: () => {
          const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} histogram`];
          for (const s of series.values()) {
            sorted.forEach((le, i) => {
              lines.push(`${name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i] ?? 0}`);
            });
            lines.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
            lines.push(`${name}_sum${labelText(s.labels)} ${s.sum}`);
            lines.push(`${name}_count${labelText(s.labels)} ${s.count}`);
          }
          return lines;
        },
      });
      return histogram;
    },

    render() {
      return `${[...families.values()].flatMap((f) => f.render()).join('\n')}\n`;
    },
  };
}

const texts = new Map<string, string>();
const MAX_TEXTS = 10_000;

/**
 * `{a="1",b="2"}` with the label names sorted, so equal label sets give one series. Label sets are
 * few (routes, methods, statuses, events) and repeat on every request: their text is remembered.
 */
function labelText(labels: Labels): string {
  let key = '';
  for (const n in labels) key += `${n}\u0000${labels[n]}\u0001`;
  let text = texts.get(key);
  if (text === undefined) {
    const names = Object.keys(labels).sort();
    text = names.length === 0 ? '' : `{${names.map((n) => `${n}="${escapeValue(labels[n] ?? '')}"`).join(',')}}`;
    if (texts.size < MAX_TEXTS) texts.set(key, text);
  }
  return text;
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
