// The package as users get it: `npm pack`, installed offline into a project outside the repository,
// then used there with plain `node` (no loader) and type-checked by TypeScript against the published
// declarations. The programs it runs are the README's own examples.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

let dir: string;
let project: string;
let tarball: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (bounded); the environment carries no loader or condition of this repository. */
function run(command: string, args: string[], cwd: string): Promise<Run> {
  const { NODE_OPTIONS: _options, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function ok(result: Run, what: string): Run {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * The installed packages that `names` need, as Node finds them from the repository (a nested copy
 * travels with its parent): top-level `node_modules/NAME` paths relative to `node_modules`.
 */
function installedClosure(names: string[]): string[] {
  const seen = new Set<string>();
  const top = new Set<string>();
  const visit = (name: string, from: string) => {
    for (let at = from; ; at = dirname(at)) {
      const candidate = join(at, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        if (seen.has(candidate)) return;
        seen.add(candidate);
        if (at === ROOT) top.add(name);
        const pkg = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
        for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })) visit(dep, candidate);
        return;
      }
      // Not installed: an optional dependency for another platform.
      if (at === ROOT) return;
    }
  };
  for (const name of names) visit(name, ROOT);
  return [...top].sort();
}

/** Copies installed packages of the repository, with their command links, into the project. */
function copyPackages(names: string[]): void {
  const modules = join(project, 'node_modules');
  const copied = installedClosure(names).filter((name) => !existsSync(join(modules, name)));
  for (const name of copied) cpSync(join(ROOT, 'node_modules', name), join(modules, name), { recursive: true, verbatimSymlinks: true });
  const bin = join(ROOT, 'node_modules', '.bin');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const link of readdirSync(bin)) {
    const target = readlinkSync(join(bin, link));
    const owner = target.replace(/^\.\.\//, '').split('/');
    const name = owner[0]?.startsWith('@') ? `${owner[0]}/${owner[1]}` : owner[0];
    if (name && copied.includes(name) && !existsSync(join(modules, '.bin', link))) symlinkSync(target, join(modules, '.bin', link));
  }
}

/** The README's code blocks marked `<!-- package-test: NAME -->`, by name. */
function readmeExamples(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const examples = new Map<string, string>();
  const marked = /^([ \t]*)<!-- package-test: (\S+) -->\n\1```\w*\n([\s\S]*?)\n\1```$/gm;
  for (const [, indent = '', name = '', body = ''] of readme.matchAll(marked)) {
    examples.set(name, body.replace(new RegExp(`^${indent}`, 'gm'), ''));
  }
  return examples;
}

/** The ```ts blocks of the `@example` tags in the declaration files under `dir`. */
function publishedExamples(dir: string): string[] {
  const examples: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const [, body = ''] of text.matchAll(/@example\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
      examples.push(body.replace(/^\s*\* ?/gm, ''));
    }
  }
  return examples;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-pack-'));
  project = join(dir, 'project');
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  // `npm pack` runs `prepare`, the build.
  ok(await run('npm', ['pack', '--pack-destination', dir, '--silent'], ROOT), 'npm pack');
  const packed = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  assert.equal(packed.length, 1, `one tarball: ${packed.join(', ')}`);
  tarball = join(dir, packed[0] ?? '');
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  // The dependencies come from this repository's installation, so that the install needs no network.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  copyPackages(Object.keys(pkg.dependencies));
  ok(
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project),
    'npm install of the tarball',
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('the tarball holds the build, its assets, README, LICENSE and CHANGELOG, and nothing of the repository else', async () => {
  const files = ok(await run('tar', ['tzf', tarball], dir), 'tar')
    .stdout.split('\n')
    .filter(Boolean);
  for (const expected of [
    'package/package.json',
    'package/README.md',
    'package/LICENSE',
    'package/CHANGELOG.md',
    'package/bin/latchkey.mjs',
    'package/dist/index.js',
    'package/dist/index.d.ts',
    'package/dist/resource-server/index.js',
    'package/dist/views.js',
    'package/dist/interaction/latchkey.css',
    'package/dist/storage/migrations/0001-initial.js',
  ]) {
    assert.ok(files.includes(expected), `${expected} is packed`);
  }
  const stray = files.filter((f) => /^package\/(src|test|bench|scripts|examples)\//.test(f) || /\.test\.|test-support/.test(f));
  assert.deepEqual(stray, []);
  const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'latchkey', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  assert.equal(manifest.dependencies.tsx, undefined, 'tsx is not a runtime dependency');
});

test("the README's program runs in plain node: server, client credentials token, node:http API", async () => {
  const example = readmeExamples().get('example.mjs');
  assert.ok(example, 'the README has the example');
  writeFileSync(join(project, 'example.mjs'), example);
  const result = ok(await run(process.execPath, ['example.mjs'], project), 'node example.mjs');
  // Besides what the program prints, stdout has the server's JSON log lines (the generated secret's notice).
  const logLines = result.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  assert.ok(logLines.some((l) => (JSON.parse(l) as { event?: string }).event === 'secret.generated'));
  const lines = result.stdout
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('{'));
  assert.match(lines[0] ?? '', /^200 \{ report: 'ok', client: '[\w-]+' \}$/);
  assert.equal(lines[1], '401 Bearer');
});

test('every entry point imports in plain node, and the latchkey command runs the build', async () => {
  const imports = `
    const main = await import('latchkey');
    const rs = await import('latchkey/resource-server');
    const views = await import('latchkey/views');
    console.log([typeof main.startServer, typeof main.registerClient, typeof rs.requireAccessToken, typeof views.escapeHtml].join(' '));
  `;
  const result = ok(await run(process.execPath, ['--input-type=module', '-e', imports], project), 'import');
  assert.equal(result.stdout.trim(), 'function function function function');
  const refused = await run(process.execPath, ['--input-type=module', '-e', "await import('latchkey/src/interaction/views.ts')"], project);
  assert.match(refused.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
  const migrate = ok(
    await run(join(project, 'node_modules', '.bin', 'latchkey'), ['migrate', '--db', 'sqlite:./cli.db'], project),
    'latchkey migrate',
  );
  assert.match(migrate.stdout, /database sqlite:\.\/cli\.db is up to date/);
});

test("TypeScript: the README's examples and a consumer type-check against the published declarations", async () => {
  // Type-only packages the consumer compiles against (never installed as dependencies of latchkey).
  copyPackages(['@types/node', '@types/express', 'fastify']);
  const examples = readmeExamples();
  for (const name of ['frameworks.ts', 'theme.ts', 'mcp.ts']) {
    const body = examples.get(name);
    assert.ok(body, `the README has ${name}`);
    writeFileSync(join(project, name), body);
  }
  writeFileSync(
    join(project, 'consumer.ts'),
    `import { pino } from 'pino';
import { ConfigError, type ConfigInput, type Logger, openStorage, registerClient, type Storage, startServer } from 'latchkey';
import { type AccessTokenClaims, verifyAccessToken } from 'latchkey/resource-server';
import type { Views } from 'latchkey/views';

const logger: Logger = pino({ level: 'silent' });
const config: ConfigInput = { port: 0, ttl: { accessToken: 600 } };
const storage: Storage = await openStorage('sqlite:./consumer.db');
const server = await startServer(config, { storage, logger });
const registered: { clientId: string; clientSecret: string | null } = await registerClient(storage, { name: 'x', grantTypes: ['client_credentials'] });
const claims: AccessTokenClaims = await verifyAccessToken('token', { issuer: server.url, audience: 'https://api.example.com' });
const views: Partial<Views> = {};
// @ts-expect-error the composition root's dependencies are not published
void server.deps;
// @ts-expect-error the stores of the database are not published
void storage.clients;
export { claims, ConfigError, registered, views };
`,
  );
  // Every @example of the published declarations, with the two names they take as given.
  const tsdoc = publishedExamples(join(project, 'node_modules', 'latchkey', 'dist'));
  assert.ok(tsdoc.length >= 30, `the declarations carry their examples (${tsdoc.length})`);
  mkdirSync(join(project, 'tsdoc'));
  tsdoc.forEach((code, i) => {
    const prelude =
      "import type { ServerResponse } from 'node:http';\ndeclare const token: string;\ndeclare const response: ServerResponse;\n";
    writeFileSync(join(project, 'tsdoc', `example-${i}.ts`), `${prelude}${code}\nexport {};\n`);
  });
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['es2023', 'dom'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      include: ['*.ts', 'tsdoc/*.ts'],
    }),
  );
  ok(await run(TSC, ['-p', '.'], project), 'tsc');
});
