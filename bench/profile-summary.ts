// Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time per function and per package.
// Usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
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
process.stdout.write(`${total} samples, ${busy} not idle; percentages below are of the busy samples\n\nself time by function:\n`);
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
