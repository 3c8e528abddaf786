// Adopting devkit as a new user does it, from the packed package: three fresh pnpm repos (made
// here, lockfiles written by the real pnpm, nothing taken from devkit's repo but the tarball)
// each get `pnpm add -Dw <tarball>`, `devkit init`, a commit, `devkit bootstrap`, a commit the
// hook blocks and one it lets through, `devkit build`, a promote to staging and its history. Only
// the installed node_modules/.bin/devkit runs. Services started here are stopped in afterAll.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  gitInit,
  hasBinary,
  packDevkit,
  requirePrerequisite,
  tempDir,
  writeFiles,
  type DevkitRun,
} from '@devkit/test-utils';

/** The versions the repos depend on: devkit's own catalog's, so a warm pnpm store has them. */
const VERSIONS = { eslint: '9.39.5', husky: '9.1.7', 'lint-staged': '16.4.0', prettier: '3.10.1', turbo: '2.11.11' };
const PNPM = '10.34.9';

/** A small flat ESLint config with no plugins: real ESLint, fast to load. */
const ESLINT_CONFIG = `export default [
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly' } }, rules: { 'no-unused-vars': 'error', semi: ['error', 'always'] } },
];
`;

/** A build that copies src/*.js into dist/, as a real app's build would emit it. */
const BUILD_SCRIPT = `import { cpSync, mkdirSync, rmSync } from 'node:fs';
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
cpSync('src', 'dist', { recursive: true });
`;

const ENVIRONMENTS = { staging: {}, production: { from: 'staging' } };

let tarball: string;

beforeAll(async () => {
  // CI semantics: a missing prerequisite fails the run, it never skips it.
  requirePrerequisite('pnpm', hasBinary('pnpm'), 'run ./tools/bootstrap.sh (it puts the pinned pnpm on PATH)');
  requirePrerequisite('git', hasBinary('git'), 'sudo apt-get install git');
  tarball = await packDevkit();
}, 300_000);

afterAll(cleanupTempDirs);

/** This process's environment without the CI job's GitHub and git variables, with CI=true. */
function hermeticEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('GIT_') && !key.startsWith('GITHUB_') && !['HUSKY', 'FORCE_COLOR'].includes(key))
      env[key] = value;
  return { ...env, CI: 'true', NO_COLOR: '1', ...extra };
}

/** Runs a program in `cwd`; never throws on a non-zero exit (the tests assert the code). */
function run(file: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<DevkitRun> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd, env: hermeticEnv(env), timeout: 240_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ exitCode: code, stdout, stderr });
      },
    );
  });
}

const output = (r: DevkitRun) => `${r.stdout}\n${r.stderr}`;

/** Runs a command and asserts it succeeded, showing its output when it did not. */
async function ok(file: string, args: readonly string[], cwd: string): Promise<DevkitRun> {
  const result = await run(file, args, cwd);
  expect(result.exitCode, `${file} ${args.join(' ')}\n${output(result)}`).toBe(0);
  return result;
}

/** One fresh repo and the steps every scenario takes in it. */
class Adopter {
  readonly root: string;

  constructor(prefix: string, files: Record<string, string | object>) {
    this.root = tempDir(`devkit-adopt-${prefix}-`);
    gitInit(this.root);
    writeFiles(this.root, files);
  }

  /** The installed bin, as a user's shell runs it. */
  devkit(args: readonly string[]): Promise<DevkitRun> {
    return run(join(this.root, 'node_modules/.bin/devkit'), args, this.root);
  }

  async devkitJson(args: readonly string[]): Promise<Record<string, unknown>> {
    const result = await this.devkit([...args, '--json']);
    expect(result.exitCode, `devkit ${args.join(' ')}\n${output(result)}`).toBe(0);
    const doc = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ ok: true, schemaVersion: expect.any(Number) });
    return doc;
  }

  git(...args: string[]): Promise<DevkitRun> {
    return run('git', args, this.root);
  }

  /** `git add <paths>` then a real `git commit` (the installed hook runs). */
  async commit(message: string, paths: readonly string[] = ['-A']): Promise<DevkitRun> {
    await ok('git', ['add', ...paths], this.root);
    return this.git('commit', '-m', message);
  }

  async subjects(): Promise<string[]> {
    return (await this.git('log', '--format=%s')).stdout.trim().split('\n');
  }

  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  readJson(path: string): Record<string, unknown> {
    return JSON.parse(this.read(path)) as Record<string, unknown>;
  }

  write(files: Record<string, string | object>): void {
    writeFiles(this.root, files);
  }

  /** The repo as it was before devkit: a real install (its lockfile) and a first commit. */
  async start(): Promise<void> {
    await ok('pnpm', ['install'], this.root);
    expect(existsSync(join(this.root, 'pnpm-lock.yaml'))).toBe(true);
    await ok('git', ['add', '-A'], this.root);
    await ok('git', ['commit', '-qm', 'initial'], this.root);
  }

  /** `pnpm add -Dw <tarball>`, no overrides: devkit's dependencies come from the registry. */
  async install(): Promise<void> {
    await ok('pnpm', ['add', '-D', '-w', tarball], this.root);
    expect(existsSync(join(this.root, 'node_modules/.bin/devkit'))).toBe(true);
    const version = await this.devkit(['--version']);
    expect(version.exitCode, output(version)).toBe(0);
  }

  /** `devkit init`, then the checks every repo shares: $schema, .gitignore block, prepare, workflow. */
  async init(): Promise<{ files: Array<{ path: string; action: string }>; notes: string[] }> {
    const result = (await this.devkitJson(['init'])) as unknown as {
      files: Array<{ path: string; action: string }>;
      notes: string[];
    };
    const config = this.readJson('devkit.json');
    expect(config.$schema).toBe('./node_modules/devkit/schema.json');
    const schema = JSON.parse(this.read('node_modules/devkit/schema.json')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(this.read('.gitignore')).toMatch(/# devkit: .*\n\.devkit\/\n\.turbo\/\n\.env\.devkit\n# end devkit\n/);
    const scripts = this.readJson('package.json').scripts as Record<string, string>;
    expect(scripts.prepare).toMatch(/devkit hooks install$/);
    const workflow = this.read('.github/workflows/devkit.yml');
    expect(workflow).toContain('pnpm install --frozen-lockfile');
    expect(workflow).toContain('pnpm exec devkit lint');
    expect(workflow).toContain('pnpm exec devkit lockfile check');
    const check = await this.devkit(['config', 'check']);
    expect(check.exitCode, output(check)).toBe(0);
    return result;
  }

  /** Adds environments to devkit.json (init writes none) and commits what init wrote. */
  async commitAdoption(): Promise<void> {
    this.write({ 'devkit.json': { ...this.readJson('devkit.json'), environments: ENVIRONMENTS } });
    const committed = await this.commit('adopt devkit');
    expect(committed.exitCode, output(committed)).toBe(0);
    expect((await this.git('status', '--porcelain')).stdout).toBe('');
  }

  /**
   * A commit the hook must refuse: exit ≠ 0 with `expected` in its output, HEAD unchanged and
   * the message absent from the log; then the files are put back as HEAD has them.
   */
  async expectBlocked(message: string, files: Record<string, string | object>, expected: RegExp[]): Promise<void> {
    const head = (await this.git('rev-parse', 'HEAD')).stdout;
    this.write(files);
    const blocked = await this.commit(message, Object.keys(files));
    expect(blocked.exitCode, output(blocked)).not.toBe(0);
    for (const pattern of expected) expect(output(blocked)).toMatch(pattern);
    expect((await this.git('rev-parse', 'HEAD')).stdout).toBe(head);
    expect(await this.subjects()).not.toContain(message);
    await ok('git', ['reset', '-q', 'HEAD', '--', ...Object.keys(files)], this.root);
    for (const path of Object.keys(files)) {
      if ((await this.git('cat-file', '-e', `HEAD:${path}`)).exitCode === 0)
        await ok('git', ['checkout', '--', path], this.root);
      else rmSync(join(this.root, path));
    }
    expect((await this.git('status', '--porcelain', '--', ...Object.keys(files))).stdout).toBe('');
  }

  /**
   * The `run:` steps of the workflow init wrote, one after the other as GitHub's runner would run
   * them (all but pnpm's global install: the machine's pnpm is the one the repo uses), with
   * GitHub's variables and a step summary file; returns the summary.
   */
  async runWorkflow(): Promise<string> {
    const workflow = this.read('.github/workflows/devkit.yml');
    const steps = [...workflow.matchAll(/^\s*(?:- )?run: (.+)$/gm)]
      .map((m) => m[1]!)
      .filter((step) => !step.startsWith('npm install --global pnpm@'));
    expect(steps).toEqual([
      'pnpm install --frozen-lockfile',
      'pnpm exec devkit bootstrap --yes --no-services',
      'pnpm exec devkit lint',
      'pnpm exec devkit lockfile check',
      'pnpm exec devkit build',
    ]);
    const summary = join(tempDir('devkit-adopt-summary-'), 'summary.md');
    writeFileSync(summary, '');
    const github = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: this.root, GITHUB_STEP_SUMMARY: summary };
    for (const step of steps) {
      const result = await run('sh', ['-c', step], this.root, github);
      expect(result.exitCode, `${step}\n${output(result)}`).toBe(0);
      expect(result.stdout, step).not.toMatch(/^::error/m);
    }
    return readFileSync(summary, 'utf8');
  }

  /**
   * `devkit build` (then, when `workflow`, the CI workflow's steps, whose step summary must name
   * the same artifact), the artifact's entries, a promote to staging and the history showing it.
   */
  async buildAndPromote(
    name: string,
    turbo: 'repo' | 'devkit',
    expectedEntries: string[],
    options: { workflow?: boolean } = {},
  ): Promise<void> {
    const build = await this.devkitJson(['build']);
    expect(build.turbo).toMatchObject({ source: turbo });
    const built = build.artifacts as Array<{ name: string; digest: string }>;
    expect(built.map((a) => a.name)).toEqual([name]);
    const digest = built[0]!.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    if (options.workflow) {
      // CI's build of the same commit: the same artifact, reused
      const summary = await this.runWorkflow();
      expect(summary).toContain('devkit build');
      expect(summary).toContain('✅');
      expect(summary).toMatch(new RegExp(`^\\|\\s*${name}\\s*\\|.*${digest}`, 'm'));
    }
    // the tree stays clean: devkit's own .devkit/ and .turbo/ and the app's dist/ are ignored
    expect((await this.git('status', '--porcelain')).stdout).toBe('');

    const inspect = await this.devkitJson(['artifact', 'inspect', `${name}@${digest}`, '--entries']);
    const entries = Object.values(inspect.entries as Record<string, Array<{ path: string }>>)
      .flat()
      .map((e) => e.path);
    for (const entry of expectedEntries) expect(entries).toContainEqual(expect.stringMatching(entry));

    const promote = await this.devkit(['promote', `${name}@${digest}`, '--to', 'staging']);
    expect(promote.exitCode, output(promote)).toBe(0);
    const history = await this.devkitJson(['history', name, '--env', 'staging']);
    expect(JSON.stringify(history)).toContain(digest);
    const human = await this.devkit(['history', name, '--env', 'staging']);
    expect(human.exitCode, output(human)).toBe(0);
    expect(human.stdout).toContain(digest.slice('sha256:'.length, 'sha256:'.length + 12));
  }

  /** Stops whatever services the scenario started. */
  async down(): Promise<void> {
    if (existsSync(join(this.root, 'node_modules/.bin/devkit'))) {
      const down = await this.devkit(['down']);
      expect(down.exitCode, output(down)).toBe(0);
    }
  }
}

describe('(1) a repo with docker-compose, husky, lint-staged and turbo', () => {
  let repo: Adopter;

  beforeAll(async () => {
    requirePrerequisite('postgres', hasBinary('postgres') || hasBinary('pg_ctl'), 'run ./tools/bootstrap.sh');
    requirePrerequisite('redis-server', hasBinary('redis-server'), 'run ./tools/bootstrap.sh');
    requirePrerequisite('psql', hasBinary('psql'), 'sudo apt-get install postgresql-client');
    repo = new Adopter('compose', {
      'package.json': {
        name: 'shop',
        private: true,
        type: 'module',
        packageManager: `pnpm@${PNPM}`,
        scripts: { build: 'turbo run build', prepare: 'husky' },
        'lint-staged': { '*.js': 'eslint --max-warnings=0' },
        devDependencies: {
          eslint: VERSIONS.eslint,
          husky: VERSIONS.husky,
          'lint-staged': VERSIONS['lint-staged'],
          turbo: VERSIONS.turbo,
        },
      },
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
      'turbo.json': { $schema: 'https://turbo.build/schema.json', tasks: { build: { outputs: ['dist/**'] } } },
      'docker-compose.yml': `services:
  db:
    image: postgres:15
    environment:
      POSTGRES_DB: shop
      POSTGRES_PASSWORD: example
  cache:
    image: redis:7
`,
      '.husky/pre-commit': 'pnpm exec lint-staged\n',
      '.gitignore': 'node_modules/\ndist/\n',
      'eslint.config.js': ESLINT_CONFIG,
      'apps/api/package.json': {
        name: '@shop/api',
        version: '1.0.0',
        private: true,
        type: 'module',
        scripts: { build: 'node build.mjs', start: 'node dist/server.js' },
      },
      'apps/api/build.mjs': BUILD_SCRIPT,
      'apps/api/src/server.js': "export const port = Number(process.env.PORT ?? '3000');\n",
    });
    await repo.start();
  }, 300_000);

  afterAll(async () => {
    await repo?.down();
  });

  it('installs the packed devkit and init infers services, hooks and the deployable', async () => {
    await repo.install();
    const result = await repo.init();
    expect(Object.fromEntries(result.files.map((f) => [f.path, f.action]))).toEqual({
      'devkit.json': 'created',
      '.gitignore': 'updated',
      'package.json': 'updated',
      '.github/workflows/devkit.yml': 'created',
    });
    expect(repo.readJson('devkit.json')).toEqual({
      $schema: './node_modules/devkit/schema.json',
      services: { postgres: { version: '15', databases: ['shop'] }, redis: { version: '7' } },
      hooks: { 'pre-commit': ['lint-staged', 'lockfile'] },
      artifacts: { deployables: ['apps/api'] },
    });
    expect((repo.readJson('package.json').scripts as Record<string, string>).prepare).toBe(
      'husky && devkit hooks install',
    );
    // husky's own line stays until the user deletes it, as the notes say
    expect(result.notes.join('\n')).toContain(
      "delete it from .husky/pre-commit once devkit hooks install has added devkit's call there",
    );
    expect(repo.read('.github/workflows/devkit.yml')).toContain(`pnpm@${PNPM}`);
    expect(repo.read('.github/workflows/devkit.yml')).toContain('pnpm exec devkit build');
    await repo.commitAdoption();
  });

  it('bootstrap starts postgres and redis, healthy, with the database compose named', async () => {
    const bootstrap = await repo.devkit(['bootstrap', '--yes']);
    expect(bootstrap.exitCode, output(bootstrap)).toBe(0);
    const status = (await repo.devkitJson(['status'])) as unknown as {
      services: Array<{ name: string; state: string; healthy: boolean }>;
    };
    const byKind = (kind: string) => status.services.find((s) => s.name.startsWith(kind));
    expect(byKind('postgres')).toMatchObject({ state: 'running', healthy: true });
    expect(byKind('redis')).toMatchObject({ state: 'running', healthy: true });

    const env = (await repo.devkitJson(['env'])) as Record<string, string>;
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/[^/]+@127\.0\.0\.1:\d+\/shop$/);
    expect(env.REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+/);
    const psql = await run('psql', [env.DATABASE_URL!, '-tAc', 'select current_database()'], repo.root);
    expect(psql.exitCode, output(psql)).toBe(0);
    expect(psql.stdout.trim()).toBe('shop');
    // the hook devkit installed runs devkit after husky's own line
    expect(repo.read('.husky/pre-commit')).toMatch(/^pnpm exec lint-staged\n[\s\S]*devkit hooks run pre-commit/);
  });

  it("the hook blocks a commit eslint rejects under lint-staged's rule, and lets a clean one through", async () => {
    await repo.expectBlocked('add a broken handler', { 'apps/api/src/broken.js': 'const unused = 1;\n' }, [
      /no-unused-vars/,
    ]);
    // as init's notes say: drop husky's own lint-staged line, devkit's hook reads the same config
    repo.write({ '.husky/pre-commit': repo.read('.husky/pre-commit').replace('pnpm exec lint-staged\n', '') });
    const hookOnly = await repo.commit('devkit runs lint-staged', ['.husky/pre-commit']);
    expect(hookOnly.exitCode, output(hookOnly)).toBe(0);
    await repo.expectBlocked('add a broken handler', { 'apps/api/src/broken.js': 'const unused = 1;\n' }, [
      /apps\/api\/src\/broken\.js:1:7\s+error\s+'unused' is assigned a value but never used\.\s+no-unused-vars/,
    ]);
    repo.write({ 'apps/api/src/handler.js': 'export const handler = () => 1;\n' });
    const fixed = await repo.commit('add a handler', ['apps/api/src/handler.js']);
    expect(fixed.exitCode, output(fixed)).toBe(0);
    expect((await repo.subjects())[0]).toBe('add a handler');
  });

  it("builds with the repo's turbo, packs apps/api's dist/, promotes it to staging and shows the history", async () => {
    await repo.buildAndPromote('api', 'repo', ['dist/server.js$', 'dist/handler.js$']);
  });
});

describe('(2) a plain pnpm workspace: no turbo, no packageManager', () => {
  let repo: Adopter;

  beforeAll(async () => {
    repo = new Adopter('plain', {
      'package.json': { name: 'site', private: true, type: 'module' },
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
      '.lintstagedrc.json': { '*.html': 'node scripts/no-todo.mjs' },
      'scripts/no-todo.mjs': `import { readFileSync } from 'node:fs';
let failed = false;
for (const file of process.argv.slice(2))
  readFileSync(file, 'utf8').split('\\n').forEach((line, i) => {
    if (line.includes('TODO')) { console.error(\`\${file}:\${i + 1}: TODO left in a page\`); failed = true; }
  });
process.exit(failed ? 1 : 0);
`,
      '.gitignore': 'node_modules/\ndist/\n',
      'apps/web/package.json': {
        name: 'web',
        version: '1.0.0',
        private: true,
        scripts: { build: 'node build.mjs' },
      },
      'apps/web/build.mjs': BUILD_SCRIPT.replaceAll("'src'", "'pages'"),
      'apps/web/pages/index.html': '<h1>site</h1>\n',
    });
    await repo.start();
  }, 300_000);

  afterAll(async () => {
    await repo?.down();
  });

  it('installs the packed devkit and init infers the lint-staged hook and apps/web', async () => {
    await repo.install();
    expect(existsSync(join(repo.root, 'node_modules/.bin/turbo'))).toBe(false);
    await repo.init();
    expect(repo.readJson('devkit.json')).toEqual({
      $schema: './node_modules/devkit/schema.json',
      hooks: { 'pre-commit': ['lint-staged', 'lockfile'] },
      artifacts: { deployables: ['apps/web'] },
    });
    expect((repo.readJson('package.json').scripts as Record<string, string>).prepare).toBe('devkit hooks install');
    await repo.commitAdoption();
  });

  it('bootstrap without services installs the hook', async () => {
    const bootstrap = await repo.devkit(['bootstrap', '--yes', '--no-services']);
    expect(bootstrap.exitCode, output(bootstrap)).toBe(0);
    expect(repo.read('.husky/pre-commit')).toContain('devkit hooks run pre-commit');
    // what bootstrap wrote is ignored or meant to be committed: commit the hook
    const hook = await repo.commit('devkit hook', ['.husky/pre-commit']);
    expect(hook.exitCode, output(hook)).toBe(0);
  });

  it('the hook blocks a page with a TODO and a manifest out of step with the lockfile, then lets a clean page through', async () => {
    await repo.expectBlocked('draft page', { 'apps/web/pages/about.html': '<p>TODO: write</p>\n' }, [
      /apps\/web\/pages\/about\.html:1: TODO left in a page/,
    ]);
    await repo.expectBlocked(
      'add a dependency without installing',
      {
        'apps/web/package.json': {
          ...repo.readJson('apps/web/package.json'),
          dependencies: { 'left-pad': '1.3.0' },
        },
      },
      [/left-pad/, /pnpm install/],
    );
    repo.write({ 'apps/web/pages/about.html': '<p>about</p>\n' });
    const clean = await repo.commit('about page', ['apps/web/pages/about.html']);
    expect(clean.exitCode, output(clean)).toBe(0);
    expect((await repo.subjects())[0]).toBe('about page');
  });

  it("runs init's CI workflow, then builds with the turbo devkit brings, packs apps/web, promotes it and shows the history", async () => {
    await repo.buildAndPromote('web', 'devkit', ['dist/index.html$', 'dist/about.html$'], { workflow: true });
  });
});

describe('(3) nested lint-staged configs: packages/a and packages/b each with their own', () => {
  let repo: Adopter;

  beforeAll(async () => {
    repo = new Adopter('nested', {
      'package.json': {
        name: 'libs',
        private: true,
        type: 'module',
        packageManager: `pnpm@${PNPM}`,
        'lint-staged': { '*.md': 'node scripts/no-fixme.mjs' },
        devDependencies: {
          eslint: VERSIONS.eslint,
          'lint-staged': VERSIONS['lint-staged'],
          prettier: VERSIONS.prettier,
        },
      },
      'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
      'scripts/no-fixme.mjs': `import { readFileSync } from 'node:fs';
const bad = process.argv.slice(2).filter((f) => readFileSync(f, 'utf8').includes('FIXME'));
for (const file of bad) console.error(\`\${file}: FIXME left in the docs\`);
process.exit(bad.length ? 1 : 0);
`,
      '.gitignore': 'node_modules/\ndist/\n',
      'eslint.config.js': ESLINT_CONFIG,
      '.prettierrc.json': { singleQuote: true },
      'README.md': '# libs\n',
      // a: ESLint only (JSON form)
      'packages/a/package.json': {
        name: '@libs/a',
        version: '1.0.0',
        private: true,
        type: 'module',
        scripts: { build: 'node build.mjs', start: 'node dist/index.js' },
      },
      'packages/a/.lintstagedrc.json': { '*.js': 'eslint --max-warnings=0' },
      'packages/a/build.mjs': BUILD_SCRIPT,
      'packages/a/src/index.js': "export const name = 'a';\n",
      // b: Prettier only (ES module form)
      'packages/b/package.json': { name: '@libs/b', version: '1.0.0', private: true, type: 'module' },
      'packages/b/.lintstagedrc.mjs': "export default { '*.js': 'prettier --check' };\n",
      'packages/b/src/index.js': "export const name = 'b';\n",
    });
    await repo.start();
  }, 300_000);

  afterAll(async () => {
    await repo?.down();
  });

  it('installs the packed devkit and init takes the lint-staged configs as the hook, packages/a as the deployable', async () => {
    await repo.install();
    await repo.init();
    expect(repo.readJson('devkit.json')).toEqual({
      $schema: './node_modules/devkit/schema.json',
      hooks: { 'pre-commit': ['lint-staged', 'lockfile'] },
      artifacts: { deployables: ['packages/a'] },
    });
    await repo.commitAdoption();
    const bootstrap = await repo.devkit(['bootstrap', '--yes', '--no-services']);
    expect(bootstrap.exitCode, output(bootstrap)).toBe(0);
    const hook = await repo.commit('devkit hook', ['.husky/pre-commit']);
    expect(hook.exitCode, output(hook)).toBe(0);
  });

  it("each package's own rule blocks its files: ESLint in a, Prettier in b, the root's check at the root", async () => {
    // formatted, but an unused variable: a's ESLint refuses it
    await repo.expectBlocked('a: unused', { 'packages/a/src/unused.js': "const unused = 'a';\n" }, [
      /packages\/a\/src\/unused\.js:1:7\s+error\s+'unused' is assigned a value but never used\.\s+no-unused-vars/,
    ]);
    // lints clean, but not formatted: b's Prettier refuses it
    await repo.expectBlocked('b: unformatted', { 'packages/b/src/messy.js': 'export const messy   =  "b"\n' }, [
      /packages\/b\/src\/messy\.js/,
      /prettier/i,
    ]);
    await repo.expectBlocked('docs: fixme', { 'README.md': '# libs\n\nFIXME: usage\n' }, [
      /README\.md: FIXME left in the docs/,
    ]);
  });

  it("a package's files pass under its own rule when another package's rule would refuse them", async () => {
    repo.write({
      // not Prettier's format, but a runs only ESLint
      'packages/a/src/unused.js': "export const used   =  'a';\n",
      // an unused variable, but b runs only Prettier
      'packages/b/src/messy.js': "const messy = 'b';\n",
    });
    const clean = await repo.commit('a and b', ['packages/a/src/unused.js', 'packages/b/src/messy.js']);
    expect(clean.exitCode, output(clean)).toBe(0);
    expect((await repo.subjects())[0]).toBe('a and b');
    expect((await repo.git('status', '--porcelain')).stdout).toBe('');
  });

  it("runs init's CI workflow (devkit lint under each package's own config), then builds packages/a, promotes it and shows the history", async () => {
    await repo.buildAndPromote('a', 'devkit', ['dist/index.js$', 'dist/unused.js$'], { workflow: true });
  });
});
