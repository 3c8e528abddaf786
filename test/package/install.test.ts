// The `devkit` package as a user gets it: `pnpm pack` of packages/devkit, then `pnpm add -D
// <tarball>` in a fresh pnpm workspace with no overrides, and the installed
// node_modules/.bin/devkit running a real command of every family.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  git,
  gitInit,
  hasBinary,
  packDevkit,
  provisionPnpm,
  requirePrerequisite,
  tempDir,
  writeFiles,
  type DevkitRun,
} from '@devkit/test-utils';

interface Manifest {
  name: string;
  version: string;
  license?: string;
  type?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  exports?: unknown;
  files?: string[];
  dependencies?: Record<string, string>;
}

let tarball: string;
/** What the tarball holds, without the leading `package/`. */
let entries: string[];
let manifest: Manifest;
let repo: string;
/** The installed package (node_modules/devkit, through pnpm's symlink). */
let installed: string;

const DEVKIT_JSON = {
  $schema: './node_modules/devkit/schema.json',
  services: { redis: { version: '7' } },
  hooks: { 'pre-commit': ['lint-staged', 'lockfile'] },
  artifacts: { deployables: ['apps/api'] },
  environments: { staging: {}, production: { from: 'staging' } },
};

/** Runs a program in `cwd`; never throws on a non-zero exit (the tests assert the code). */
function run(file: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<DevkitRun> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd, env: { ...hermeticEnv(), ...env }, timeout: 180_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ exitCode: code, stdout, stderr });
      },
    );
  });
}

/** This process's environment without the CI job's GitHub variables (a test sets those itself). */
function hermeticEnv(): NodeJS.ProcessEnv {
  const { GITHUB_ACTIONS: _actions, GITHUB_STEP_SUMMARY: _summary, ...rest } = process.env;
  return rest;
}

/** Runs the installed bin the way a user's shell or script would. */
function devkit(args: readonly string[], env: Record<string, string> = {}): Promise<DevkitRun> {
  return run(join(repo, 'node_modules/.bin/devkit'), args, repo, { NO_COLOR: '1', ...env });
}

function jsonOf(run: DevkitRun): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  requirePrerequisite('pnpm', hasBinary('pnpm'), 'run ./tools/bootstrap.sh (it puts the pinned pnpm on PATH)');
  tarball = await packDevkit();
  entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((e) => e.replace(/^package\//, ''));
  manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));

  repo = tempDir('devkit-installed-');
  writeFiles(repo, {
    'package.json': { name: 'acme', private: true, packageManager: 'pnpm@10.34.9' },
    'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
    '.gitignore': 'node_modules/\ndist/\n.devkit/\n.turbo/\n.env.devkit\n',
    'devkit.json': DEVKIT_JSON,
    'apps/api/package.json': {
      name: '@acme/api',
      version: '1.0.0',
      private: true,
      scripts: { build: 'node build.mjs' },
    },
    'apps/api/build.mjs':
      "import { mkdirSync, writeFileSync } from 'node:fs';\nmkdirSync('dist', { recursive: true });\nwriteFileSync('dist/server.js', 'console.log(\"api\");\\n');\n",
    'apps/api/turbo.json': { extends: ['//'], tasks: { build: { outputs: ['dist/**'] } } },
    'turbo.json': { $schema: 'https://turbo.build/schema.json', tasks: { build: { dependsOn: ['^build'] } } },
  });
  gitInit(repo);
  // No overrides, no workspace link: dependencies come from the registry (through the shared store).
  const add = await run('pnpm', ['add', '-D', '-w', tarball], repo, { CI: '1' });
  if (add.exitCode !== 0) throw new Error(`pnpm add -D ${tarball} failed:\n${add.stdout}\n${add.stderr}`);
  installed = realpathSync(join(repo, 'node_modules/devkit'));
}, 300_000);

afterAll(async () => {
  if (repo) await devkit(['down']);
  cleanupTempDirs();
});

describe('the packed tarball', () => {
  it('holds the bundle, the builders, the schema and the licence, and no sources, tests or maps', () => {
    for (const file of [
      'package.json',
      'LICENSE',
      'README.md',
      'schema.json',
      'dist/bin.js',
      'dist/supervisor-main.js',
      'dist/build-info.json',
      'docker/bullseye/Dockerfile',
      'docker/bullseye/base.json',
      'docker/bookworm/Dockerfile',
      'docker/zig/Dockerfile',
      'docker/zig/base.json',
      'docker/zig/bin/zig-driver',
      'docker/zig/bin/zig-ar',
    ])
      expect(entries).toContain(file);
    expect(entries.filter((e) => /(^|\/)src\//.test(e))).toEqual([]);
    expect(entries.filter((e) => /\.test\.|\.map$|\.ts$|tsconfig|turbo\.json$|scripts\//.test(e))).toEqual([]);
    expect(entries.filter((e) => e.endsWith('.js')).every((e) => e.startsWith('dist/'))).toBe(true);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('has a manifest fit to publish: bin, ESM, engines, licence, exact dependencies, no source condition', () => {
    expect(manifest).toMatchObject({
      name: 'devkit',
      license: 'MIT',
      type: 'module',
      bin: { devkit: './dist/bin.js' },
      engines: { node: '>=22.13' },
    });
    expect(manifest).not.toHaveProperty('private');
    expect(manifest.exports).toEqual({ './schema.json': './schema.json', './package.json': './package.json' });
    expect(JSON.stringify(manifest)).not.toMatch(/"source"|catalog:|workspace:/);
    const deps = manifest.dependencies ?? {};
    expect(Object.keys(deps)).toEqual(expect.arrayContaining(['turbo', 'zod', 'execa', 'dockerode', 'tar', 'pg']));
    expect(Object.entries(deps).filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v))).toEqual([]);
    expect(Object.keys(deps).filter((d) => d.startsWith('@devkit/'))).toEqual([]);
  });

  it('imports only Node built-ins and its declared dependencies (every bare specifier in dist/)', () => {
    const builtins = new Set(builtinModules);
    const found = new Map<string, string>();
    const dist = join(installed, 'dist');
    for (const rel of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
      for (const specifier of bareSpecifiers(readFileSync(join(dist, rel), 'utf8'), rel))
        if (!specifier.startsWith('node:') && !builtins.has(specifier)) found.set(packageName(specifier), rel);
    }
    const undeclared = [...found].filter(([name]) => !(name in (manifest.dependencies ?? {})));
    expect(undeclared).toEqual([]);
    // The walk sees static imports, dynamic import() and the run-time requests made through
    // createRequire and import.meta.resolve (semver, dockerode, husky).
    expect([...found.keys()]).toEqual(expect.arrayContaining(['zod', 'execa', 'semver', 'dockerode', 'husky']));
  });

  it('ships the JSON Schema devkit.json names, a valid schema that is the one devkit prints', async () => {
    const shipped = JSON.parse(readFileSync(join(repo, 'node_modules/devkit/schema.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(shipped.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const printed = await devkit(['config', 'schema', '--json']);
    expect(printed.exitCode).toBe(0);
    expect(stripStamp(jsonOf(printed))).toEqual(shipped);
    // Read as a JSON Schema by another implementation (zod's, from devkit's own install): it
    // accepts this repo's devkit.json and rejects a misspelt key.
    const { z } = (await import(pathToFileURL(createRequire(join(installed, 'package.json')).resolve('zod')).href)) as {
      z: { fromJSONSchema(schema: unknown): { safeParse(value: unknown): { success: boolean } } };
    };
    const schema = z.fromJSONSchema(shipped);
    expect(schema.safeParse(DEVKIT_JSON).success).toBe(true);
    expect(schema.safeParse({ ...DEVKIT_JSON, hoks: {} }).success).toBe(false);
  });
});

describe('the installed devkit', () => {
  it('prints its version and its help', async () => {
    const version = await devkit(['--version']);
    expect(version).toMatchObject({ exitCode: 0, stdout: `${manifest.version}\n` });
    const help = await devkit(['--help']);
    expect(help.exitCode).toBe(0);
    for (const command of ['bootstrap', 'doctor', 'lockfile', 'hooks', 'native', 'build', 'artifact', 'promote'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it("exec runs a command with the repo's toolchain (its fast path, a chunk of its own)", async () => {
    const exec = await devkit(['exec', '--', 'node', '-e', "process.stdout.write('ran ' + process.version)"]);
    expect(exec).toMatchObject({ exitCode: 0, stdout: `ran ${process.version}` });
  });

  it('doctor and env read the repo (devkit.json with its $schema from node_modules/devkit)', async () => {
    const doctor = await devkit(['doctor', '--json']);
    expect(doctor.stderr).not.toMatch(/internal error/);
    expect([0, 1]).toContain(doctor.exitCode);
    expect(JSON.stringify(jsonOf(doctor))).toMatch(/hooks/);
    const env = await devkit(['env', '--json']);
    expect(env.exitCode).toBe(0);
    expect(jsonOf(env)).toMatchObject({ ok: true });
  });

  it('init --dry-run plans from the repo and writes nothing', async () => {
    const before = readFileSync(join(repo, 'devkit.json'), 'utf8');
    const init = await devkit(['init', '--dry-run', '--json']);
    expect(init.stderr).not.toMatch(/internal error/);
    expect(init.exitCode).toBe(0);
    const plan = jsonOf(init) as { dryRun?: boolean; files?: Array<{ path: string }> };
    expect(plan.dryRun).toBe(true);
    expect(plan.files?.map((f) => f.path)).toContain('devkit.json');
    expect(readFileSync(join(repo, 'devkit.json'), 'utf8')).toBe(before);
    expect(existsSync(join(repo, '.github'))).toBe(false);
  });

  it('lockfile check passes on the fresh install and finds a manifest edited without installing', async () => {
    const clean = await devkit(['lockfile', 'check']);
    expect(clean).toMatchObject({ exitCode: 0 });
    expect(clean.stdout).toMatch(/up to date/);
    const file = join(repo, 'apps/api/package.json');
    const before = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, JSON.stringify({ ...JSON.parse(before), dependencies: { 'left-pad': '1.3.0' } }));
      const drift = await devkit(['lockfile', 'check']);
      expect(drift.exitCode).toBe(1);
      expect(`${drift.stdout}${drift.stderr}`).toMatch(/left-pad/);
    } finally {
      writeFileSync(file, before);
    }
  });

  it('hooks install writes the hook, and a real commit runs the installed devkit', async () => {
    const install = await devkit(['hooks', 'install']);
    expect(install.exitCode).toBe(0);
    expect(readFileSync(join(repo, '.husky/pre-commit'), 'utf8')).toMatch(/devkit hooks run pre-commit/);
    git(repo, 'add', '.');
    const commit = await run('git', ['commit', '-m', 'start'], repo);
    expect(commit.exitCode).toBe(0);
    expect(commit.stderr).toMatch(/pre-commit: \d+ staged files? checked/);
    const lint = await devkit(['lint']);
    expect(lint.exitCode).toBe(0);
  });

  it('native verify checks a real shared library; native images finds the builders it ships', async () => {
    requirePrerequisite('cc', hasBinary('cc'), 'sudo apt-get install build-essential');
    const dir = tempDir('devkit-so-');
    writeFileSync(join(dir, 'fast.c'), 'int fast_add(int a, int b) { return a + b; }\n');
    execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', join(dir, 'libfast.so'), join(dir, 'fast.c')]);
    const target = process.arch === 'arm64' ? 'linux-arm64-gnu' : 'linux-x64-gnu';
    const verify = await devkit(['native', 'verify', join(dir, 'libfast.so'), '--target', target, '--json']);
    expect(verify.exitCode).toBe(0);
    expect(jsonOf(verify)).toMatchObject({ ok: true });

    expect(existsSync(join(installed, 'docker/zig/Dockerfile'))).toBe(true);
    const images = await devkit(['native', 'images', '--builder', 'nosuch']);
    expect(images.exitCode).toBe(2);
    expect(images.stderr).toMatch(/E_NATIVE_UNKNOWN_BUILDER[\s\S]*use one of: bookworm, bullseye, zig\b/);
  });

  it('up starts a service under the supervisor the package ships, and down stops it', async () => {
    requirePrerequisite('redis-server', hasBinary('redis-server'), 'run ./tools/bootstrap.sh');
    const up = await devkit(['up', 'redis', '--json']);
    expect(up.stderr).not.toMatch(/internal error/);
    expect(up.exitCode).toBe(0);
    const status = await devkit(['status', '--json']);
    expect(status.exitCode).toBe(0);
    expect(JSON.stringify(jsonOf(status))).toMatch(/"running"/);
    expect(JSON.stringify(jsonOf(status))).toMatch(/supervisor/);
    const down = await devkit(['down', 'redis']);
    expect(down.exitCode).toBe(0);
  });

  it('builds with the turbo it brings, then lists, promotes and shows the history of the artifact', async () => {
    // The repo has no turbo of its own: `devkit build` runs the one devkit depends on.
    expect(existsSync(join(repo, 'node_modules/.bin/turbo'))).toBe(false);
    expect(createRequire(join(installed, 'dist/bin.js')).resolve('turbo/package.json')).toContain('turbo');
    const plan = await devkit(['build', '--dry-run']);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toMatch(/turbo run build/);

    const build = await devkit(['build', '--json']);
    expect(build.stderr).not.toMatch(/internal error/);
    expect(build.exitCode).toBe(0);
    const ls = await devkit(['artifact', 'ls', '--json']);
    expect(ls.exitCode).toBe(0);
    const artifacts = jsonOf(ls).artifacts as Array<{ name: string; digest: string }>;
    expect(artifacts.map((a) => a.name)).toEqual(['api']);
    const digest = artifacts[0]!.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const promote = await devkit(['promote', `api@${digest}`, '--to', 'staging']);
    expect(promote.exitCode).toBe(0);
    const history = await devkit(['history', 'api', '--env', 'staging', '--json']);
    expect(history.exitCode).toBe(0);
    expect(JSON.stringify(jsonOf(history))).toContain(digest);
  });

  it("with pnpm 11, whose installs fail while devkit's dependencies' build scripts are undecided, devkit init answers them and pnpm install passes", async () => {
    const pnpm = await provisionPnpm('11.19.0');
    const dir = tempDir('devkit-pnpm11-');
    writeFiles(dir, {
      'package.json': { name: 'acme11', private: true, packageManager: 'pnpm@11.19.0' },
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
    });
    gitInit(dir);
    const env = { CI: '1', ...(pnpm.pathPrepend ? { PATH: `${pnpm.pathPrepend}:${process.env.PATH}` } : {}) };
    const pnpmRun = (args: string[]) => run(pnpm.file, [...pnpm.args, ...args], dir, env);
    const add = await pnpmRun(['add', '-D', '-w', tarball]);
    // pnpm 11 installs the package, then fails on the build scripts nobody approved yet
    expect(`${add.stdout}${add.stderr}`).toContain('ERR_PNPM_IGNORED_BUILDS');
    expect((await pnpmRun(['install', '--frozen-lockfile'])).exitCode).not.toBe(0);
    const init = await run(join(dir, 'node_modules/.bin/devkit'), ['init'], dir, { NO_COLOR: '1', ...env });
    expect(init).toMatchObject({ exitCode: 0 });
    expect(init.stdout).toMatch(/pnpm-workspace\.yaml\s+\(allowBuilds: cpu-features, protobufjs, ssh2 false\)/);
    const workspace = readFileSync(join(dir, 'pnpm-workspace.yaml'), 'utf8');
    expect(workspace).toMatch(/^ {2}ssh2: false$/m);
    expect(workspace).not.toContain('set this to true or false');
    const install = await pnpmRun(['install', '--frozen-lockfile']);
    expect(install, `${install.stdout}\n${install.stderr}`).toMatchObject({ exitCode: 0 });
  }, 300_000);
});

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The bare specifiers a module names, parsed with TypeScript's parser. */
function bareSpecifiers(code: string, file: string): string[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const out: string[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node) && !/^[./]/.test(node.text)) out.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      // import('x'), require('x') (also createRequire(…)('x')), import.meta.resolve('x'), require.resolve('x').
      const callee = node.expression;
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee)
          ? callee.name.text
          : ts.isCallExpression(callee)
            ? 'require'
            : callee.kind === ts.SyntaxKind.ImportKeyword
              ? 'import'
              : '';
      if (name === 'import' || /^require\d*$/.test(name) || name === 'resolve') add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** A --json document without the fields every document carries (`ok`, `schemaVersion`). */
function stripStamp(doc: Record<string, unknown>): Record<string, unknown> {
  const { ok: _ok, schemaVersion: _version, ...rest } = doc;
  return rest;
}
