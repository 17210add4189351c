// Summarises V8 .cpuprofile files (from `npm run bench -- --profile`): self time per function, per
// package, and per category of work (HTTP, routing, logging, storage, ...). The bench's profile
// breakdown uses the same `categorize`.
// Usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export const CATEGORIES = ['HTTP', 'routing', 'logging', 'client auth', 'storage', 'crypto', 'JSON', 'GC', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

const MODULES: [RegExp, Category][] = [
  [
    /\/node_modules\/(pino|@pinojs\/[^/]+|pino-[^/]+|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|atomic-sleep|on-exit-leak-free)\//,
    'logging',
  ],
  [/\/node_modules\/(kysely|better-sqlite3|pg|pg-[^/]+|postgres-[^/]+|pgpass)\//, 'storage'],
  [/\/node_modules\/jose\//, 'crypto'],
];
const LATCHKEY: [RegExp, Category][] = [
  [/\/(src|dist)\/http\/router\.[jt]s$/, 'routing'],
  [/\/(src|dist)\/routes\.[jt]s$/, 'routing'],
  [/\/(src|dist)\/log\.[jt]s$/, 'logging'],
  [/\/(src|dist)\/observability\/audit\.[jt]s$/, 'logging'],
  [/\/(src|dist)\/clients\//, 'client auth'],
  [/\/(src|dist)\/storage\//, 'storage'],
  [/\/(src|dist)\/tokens\/jws\.[jt]s$/, 'crypto'],
];
const NODE_HTTP = /^node:(_http_|http|https|net|stream|internal\/(streams\/|stream_base_commons|http|net|js_stream_socket))/;

/** The category of a frame by its url and function name alone, or undefined for a native frame. */
function byFrame(url: string, fn: string): Category | undefined {
  if (fn === '(garbage collector)') return 'GC';
  if (url === '') {
    if (fn === 'stringify' || fn === 'parse') return 'JSON';
    // Native functions (a signature, a statement, writev) belong to whoever called them.
    return fn.startsWith('(') ? 'other' : undefined;
  }
  if (url.startsWith('node:internal/crypto/')) return 'crypto';
  if (NODE_HTTP.test(url)) return 'HTTP';
  for (const [re, category] of [...MODULES, ...LATCHKEY]) if (re.test(url)) return category;
  return 'other';
}

/** Busy samples (not idle) per category, by the self-time frame of each sample. */
export function categorize(profile: Profile): { busy: number; by: Map<Category, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const cache = new Map<number, Category | 'idle'>();
  const categoryOf = (id: number): Category | 'idle' => {
    const known = cache.get(id);
    if (known) return known;
    let category: Category | 'idle' = 'other';
    const leaf = byId.get(id);
    if (leaf?.callFrame.functionName === '(idle)') category = 'idle';
    else {
      for (let cur: number | undefined = id, depth = 0; cur !== undefined && depth < 200; cur = parent.get(cur), depth++) {
        const n = byId.get(cur);
        const c = n && byFrame(n.callFrame.url, n.callFrame.functionName);
        if (c) {
          category = c;
          break;
        }
      }
    }
    cache.set(id, category);
    return category;
  };
  const by = new Map<Category, number>();
  let busy = 0;
  for (const id of profile.samples ?? []) {
    const c = categoryOf(id);
    if (c === 'idle') continue;
    busy++;
    by.set(c, (by.get(c) ?? 0) + 1);
  }
  return { busy, by };
}

/** Several profiles (the processes of one server) as one breakdown. */
export function categorizeFiles(files: readonly string[]): { busy: number; by: Map<Category, number> } {
  const total = { busy: 0, by: new Map<Category, number>() };
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    if (!Array.isArray(profile.samples)) continue;
    const one = categorize(profile);
    total.busy += one.busy;
    for (const [c, n] of one.by) total.by.set(c, (total.by.get(c) ?? 0) + n);
  }
  return total;
}

function main(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<number, number>();
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  const total = profile.samples.length;

  const where = (n: Node) => {
    const url = n.callFrame.url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\//, 'node_modules/')
      .replace(/^.*\/(src|dist|bench)\//, '$1/');
    return url ? `${url}:${n.callFrame.lineNumber + 1}` : '(native)';
  };
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}`;
  const pkg = (n: Node) => {
    const url = n.callFrame.url;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m?.[1]) return m[1];
    if (/\/(src|dist)\//.test(url)) return `latchkey ${url.replace(/^.*\/(src|dist)\//, '$1/')}`;
    if (url.startsWith('node:')) return url;
    return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : url || '(native)';
  };

  const selfBy = (key: (n: Node) => string) => {
    const m = new Map<string, number>();
    for (const [id, count] of self) {
      const n = byId.get(id);
      if (n && n.callFrame.functionName !== '(idle)') m.set(key(n), (m.get(key(n)) ?? 0) + count);
    }
    return [...m].sort((a, b) => b[1] - a[1]);
  };

  // Inclusive time: a sample counts once for every distinct function on its stack.
  const inclusive = new Map<string, number>();
  for (const [id, count] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const key = label(n);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + count);
    }
  }

  const busy = total - [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((s, [, c]) => s + c, 0);
  // Percentages of the samples where the process was not idle.
  const pct = (c: number) => `${((100 * c) / busy).toFixed(1).padStart(5)}%`;
  process.stdout.write(`${total} samples, ${busy} not idle; percentages below are of the busy samples\n\nby category:\n`);
  const { by } = categorize(profile);
  for (const c of CATEGORIES) process.stdout.write(`${pct(by.get(c) ?? 0)}  ${c}\n`);
  process.stdout.write('\nself time by function:\n');
  for (const [k, c] of selfBy(label).slice(0, top)) process.stdout.write(`${pct(c)}  ${k}\n`);
  process.stdout.write('\nself time by package or file:\n');
  for (const [k, c] of selfBy(pkg).slice(0, top)) process.stdout.write(`${pct(c)}  ${k}\n`);
  process.stdout.write('\ninclusive time (latchkey functions):\n');
  for (const [k, c] of [...inclusive]
    .filter(([k]) => / (src|dist)\//.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    process.stdout.write(`${pct(c)}  ${k}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  main(file, Number(topArg ?? 25));
}
