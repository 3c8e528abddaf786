import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanupTempDirs, git, gitInit, tempDir, writeFiles } from '@devkit/test-utils';
import { ESLINT_CONFIG, cleanEnv, commit, devkit, headSubject } from '../hooks/repo.js';

afterAll(cleanupTempDirs);

interface InitJson {
  ok: boolean;
  files: Array<{ path: string; action: string; reason?: string }>;
  notes: string[];
  diff?: string;
}

/** A git repo made of `files`, committed, with devkit's own node_modules (eslint, lint-staged, devkit) linked in. */
function makeRepo(files: Record<string, string | object>): string {
  const repo = tempDir('devkit-init-');
  gitInit(repo);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(repo, 'node_modules'));
  // ignored outside the repo's own files, so that .gitignore is the test's to write
  writeFileSync(join(repo, '.git/info/exclude'), 'node_modules\n');
  writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'initial', '--no-verify');
  return repo;
}

/** Every file under `root` (not .git, node_modules or .devkit) with its content: what a run wrote. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (/^(\.git|node_modules|\.devkit)(\/|$)/.test(entry)) continue;
    const path = join(root, entry);
    if (statSync(path).isFile()) out[relative(root, path)] = readFileSync(path, 'utf8');
  }
  return out;
}

async function init(repo: string, ...flags: string[]): Promise<InitJson> {
  const run = await devkit(['init', '--json', ...flags], repo);
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as InitJson;
}

const actions = (result: InitJson) => Object.fromEntries(result.files.map((f) => [f.path, f.action]));
const readJson = (repo: string, file: string) =>
  JSON.parse(readFileSync(join(repo, file), 'utf8')) as Record<string, unknown>;

const COMPOSE = `services:
  db:
    image: postgres:15
    environment:
      POSTGRES_DB: \${DB_NAME:-app}
      POSTGRES_PASSWORD: not-for-logs
    ports:
      - "5433:5432"
  cache:
    image: redis:7
  mc:
    image: memcached:1.6
  search:
    image: elasticsearch:8.11.0
`;

/** Repo (a): compose services, husky + lint-staged in package.json, apps/api with a start script. */
function composeHuskyRepo(): string {
  return makeRepo({
    'package.json': {
      name: 'acme',
      private: true,
      type: 'module',
      packageManager: 'pnpm@10.34.9',
      scripts: { prepare: 'husky' },
      'lint-staged': { '*.js': 'eslint' },
    },
    'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
    'apps/api/package.json': { name: 'api', scripts: { start: 'node index.js' } },
    'apps/api/index.js': 'export const port = 3000;\n',
    'docker-compose.yml': COMPOSE,
    '.husky/pre-commit': 'npx lint-staged\n',
    '.gitignore': 'node_modules\n',
    'eslint.config.js': ESLINT_CONFIG,
  });
}

describe('devkit init on a repo with compose, husky, lint-staged and an app (a)', () => {
  it('--dry-run prints a unified diff of every file and writes nothing', async () => {
    const repo = composeHuskyRepo();
    const before = snapshot(repo);
    const run = await devkit(['init', '--dry-run'], repo);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('--- /dev/null\n+++ b/devkit.json\n@@ -0,0 +1,');
    expect(run.stdout).toContain('--- a/.gitignore\n+++ b/.gitignore\n');
    expect(run.stdout).toContain('-    "prepare": "husky"\n+    "prepare": "husky && devkit hooks install"\n');
    expect(run.stdout).toContain('--- /dev/null\n+++ b/.github/workflows/devkit.yml\n');
    expect(run.stdout).toContain('would create devkit.json');
    expect(run.stdout).toContain('dry run: 4 file(s) would change; run devkit init to write them');
    expect(snapshot(repo)).toEqual(before);
    const json = await init(repo, '--dry-run');
    expect(json.diff).toContain('+++ b/devkit.json');
    expect(snapshot(repo)).toEqual(before);
  });

  it('writes devkit.json from compose, hooks and apps; devkit loads it; a second run changes nothing', async () => {
    const repo = composeHuskyRepo();
    const result = await init(repo);
    expect(actions(result)).toEqual({
      'devkit.json': 'created',
      '.gitignore': 'updated',
      'package.json': 'updated',
      '.github/workflows/devkit.yml': 'created',
    });
    expect(readJson(repo, 'devkit.json')).toEqual({
      $schema: './node_modules/devkit/schema.json',
      services: {
        postgres: { version: '15', databases: ['app'] },
        redis: { version: '7' },
        memcached: { version: '1.6' },
      },
      hooks: { 'pre-commit': ['lint-staged', 'lockfile'] },
      artifacts: { deployables: ['apps/api'] },
    });
    const notes = result.notes.join('\n');
    expect(notes).toContain(
      'services.search (elasticsearch:8.11.0) not migrated: devkit runs postgres, redis, memcached and registry natively',
    );
    expect(notes).toContain('compose publishes 5433:5432, devkit picks its own port per checkout');
    expect(notes).toContain("delete it from .husky/pre-commit once devkit hooks install has added devkit's call there");
    expect(notes).not.toContain('not-for-logs');
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toMatch(
      /^node_modules\n\n# devkit: .*\n\.devkit\/\n\.turbo\/\n\.env\.devkit\n# end devkit\n$/,
    );
    expect((readJson(repo, 'package.json').scripts as Record<string, string>).prepare).toBe(
      'husky && devkit hooks install',
    );
    // (the unit tests parse it as YAML; here: what it runs, and only GitHub's own actions by major)
    const workflow = readFileSync(join(repo, '.github/workflows/devkit.yml'), 'utf8');
    const uses = [...workflow.matchAll(/^\s*- uses: (\S+)$/gm)].map((m) => m[1]);
    expect(uses).toEqual(['actions/checkout@v4', 'actions/setup-node@v4']);
    const runs = [...workflow.matchAll(/^\s*(?:- )?run: (.+)$/gm)].map((m) => m[1]);
    expect(runs).toEqual([
      'npm install --global pnpm@10.34.9',
      'pnpm install --frozen-lockfile',
      'pnpm exec devkit bootstrap --yes --no-services',
      'pnpm exec devkit lint',
      'pnpm exec devkit lockfile check',
      'pnpm exec devkit build',
    ]);

    // devkit's own loader takes what init wrote
    const env = await devkit(['env', '--json'], repo);
    expect(env.exitCode, env.stderr).toBe(0);
    expect(JSON.parse(env.stdout)).toMatchObject({
      DATABASE_URL: expect.stringMatching(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/app$/),
    });
    const check = await devkit(['config', 'check'], repo);
    expect(check.exitCode, check.stderr).toBe(0);

    const written = snapshot(repo);
    const again = await devkit(['init'], repo);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to change: devkit init has already run here');
    expect(new Set((await init(repo)).files.map((f) => f.action))).toEqual(new Set(['unchanged']));
    expect(snapshot(repo)).toEqual(written);
  });

  it('after devkit hooks install, a commit lint-staged rejects is blocked and a clean one passes, with and without the husky line', async () => {
    const repo = composeHuskyRepo();
    await init(repo);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'devkit init', '--no-verify');
    const install = await devkit(['hooks', 'install'], repo);
    expect(install.exitCode, install.stderr).toBe(0);
    // husky's folder stays git's hooks path; devkit's call is added after husky's own line
    expect(git(repo, 'config', 'core.hooksPath').trim()).toBe('.husky/_');
    const hook = readFileSync(join(repo, '.husky/pre-commit'), 'utf8');
    expect(hook.startsWith('npx lint-staged\n')).toBe(true);
    expect(hook).toContain('devkit hooks run pre-commit "$@"');
    git(repo, 'add', '.husky/pre-commit');
    git(repo, 'commit', '-qm', 'hooks', '--no-verify');

    writeFileSync(join(repo, 'apps/api/bad.js'), 'const unused = 1;\n');
    git(repo, 'add', 'apps/api/bad.js');
    const blocked = commit(repo);
    expect(blocked.status, blocked.output).not.toBe(0);
    expect(blocked.output).toContain("'unused' is assigned a value but never used");
    expect(headSubject(repo)).toBe('hooks');

    // as the notes say: the husky line goes, devkit's hook alone runs lint-staged's config
    writeFileSync(join(repo, '.husky/pre-commit'), hook.replace('npx lint-staged\n', ''));
    git(repo, 'add', '.husky/pre-commit');
    const stillBlocked = commit(repo);
    expect(stillBlocked.status, stillBlocked.output).toBe(1);
    expect(stillBlocked.output).toContain(
      "apps/api/bad.js:1:7  error  'unused' is assigned a value but never used.  no-unused-vars",
    );
    expect(headSubject(repo)).toBe('hooks');

    writeFileSync(join(repo, 'apps/api/bad.js'), 'export const used = 1;\n');
    git(repo, 'add', 'apps/api/bad.js');
    const clean = commit(repo);
    expect(clean.status, clean.output).toBe(0);
    expect(headSubject(repo)).toBe('change');
  });

  it("a husky 8 repo (core.hooksPath .husky): devkit hooks install takes the path over and husky's hook file still runs", async () => {
    const repo = composeHuskyRepo();
    writeFileSync(
      join(repo, '.husky/pre-commit'),
      '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\nnpx lint-staged\n',
    );
    git(repo, 'config', 'core.hooksPath', '.husky');
    const result = await init(repo);
    expect(result.notes.join('\n')).toContain("sources _/husky.sh, husky 8's runner");
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'devkit init', '--no-verify');
    const install = await devkit(['hooks', 'install'], repo);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(git(repo, 'config', 'core.hooksPath').trim()).toBe('.husky/_');
    git(repo, 'commit', '-qam', 'hooks', '--no-verify');

    writeFileSync(join(repo, 'apps/api/bad.js'), 'const unused = 1;\n');
    git(repo, 'add', 'apps/api/bad.js');
    const blocked = commit(repo);
    expect(blocked.status, blocked.output).not.toBe(0);
    expect(blocked.output).toContain("'unused' is assigned a value but never used");
    expect(headSubject(repo)).toBe('hooks');
  });

  it('a conflicting workflow is kept without --force and replaced with it; --force rewrites devkit.json', async () => {
    const repo = composeHuskyRepo();
    writeFiles(repo, {
      '.github/workflows/devkit.yml': 'name: ours\n',
      'devkit.json': '{\n  // kept\n  "services": { "redis": { "version": "6" } }\n}\n',
    });
    const kept = await init(repo);
    expect(kept.files.find((f) => f.path === '.github/workflows/devkit.yml')).toEqual({
      path: '.github/workflows/devkit.yml',
      action: 'skipped',
      reason: 'it exists and differs from what devkit init writes; devkit init --force replaces it',
    });
    expect(readFileSync(join(repo, '.github/workflows/devkit.yml'), 'utf8')).toBe('name: ours\n');
    const merged = readFileSync(join(repo, 'devkit.json'), 'utf8');
    expect(merged).toContain('// kept');
    expect(merged).toContain('"redis": { "version": "6" }');
    expect(kept.notes).toContain(
      'devkit.json: kept the value it has for services.redis.version (devkit init --force replaces the file with what it infers)',
    );

    const forced = await init(repo, '--force');
    expect(actions(forced)['.github/workflows/devkit.yml']).toBe('updated');
    expect(actions(forced)['devkit.json']).toBe('updated');
    expect(readFileSync(join(repo, '.github/workflows/devkit.yml'), 'utf8')).toContain('pnpm exec devkit lint');
    expect((readJson(repo, 'devkit.json').services as Record<string, unknown>).redis).toEqual({ version: '7' });
  });
});

describe('devkit init on other hook set-ups', () => {
  it('(b) lefthook: its jobs become devkit.json hook commands, and the notes say how to retire lefthook', async () => {
    const repo = makeRepo({
      'package.json': { name: 'lh', private: true, scripts: { prepare: 'lefthook install' } },
      'lefthook.yml':
        'pre-commit:\n  commands:\n    lint:\n      glob: "*.js"\n      run: eslint {staged_files}\npre-push:\n  commands:\n    test:\n      run: pnpm test\n',
    });
    const result = await init(repo);
    expect(readJson(repo, 'devkit.json')).toEqual({
      $schema: './node_modules/devkit/schema.json',
      hooks: {
        'pre-commit': [{ name: 'lint', run: 'eslint {staged_files}', glob: '*.js' }, 'lockfile'],
        'pre-push': [{ name: 'test', run: 'pnpm test' }],
      },
    });
    // lefthook install refuses once core.hooksPath is set: it leaves prepare, so pnpm install keeps working
    expect((readJson(repo, 'package.json').scripts as Record<string, string>).prepare).toBe('devkit hooks install');
    const notes = result.notes.join('\n');
    expect(notes).toContain('"lefthook install" dropped');
    expect(notes).toContain('pnpm exec lefthook uninstall && pnpm remove lefthook');
    expect(existsSync(join(repo, 'lefthook.yml'))).toBe(true);
    expect((await devkit(['config', 'check'], repo)).exitCode).toBe(0);
    expect(new Set((await init(repo)).files.map((f) => f.action))).toEqual(new Set(['unchanged']));
  });

  it('(c) simple-git-hooks: lint-staged becomes the check, its other command an entry of its hook', async () => {
    const repo = makeRepo({
      'package.json': {
        name: 'sgh',
        private: true,
        'simple-git-hooks': { 'pre-commit': 'npx lint-staged', 'commit-msg': 'node scripts/check-msg.js "$1"' },
      },
      '.lintstagedrc.json': { '*.js': 'eslint' },
    });
    const result = await init(repo);
    expect(readJson(repo, 'devkit.json').hooks).toEqual({
      'pre-commit': ['lint-staged', 'lockfile'],
      'commit-msg': [{ run: 'node scripts/check-msg.js "$1"' }],
    });
    expect(result.notes.join('\n')).toContain('pnpm exec clean-simple-git-hooks && pnpm remove simple-git-hooks');
    expect((await devkit(['config', 'check'], repo)).exitCode).toBe(0);
  });

  it('(d) a repo with nothing: the schema reference, the .gitignore block, prepare and a workflow without build', async () => {
    const repo = makeRepo({ 'package.json': { name: 'bare', private: true } });
    const result = await init(repo);
    expect(actions(result)).toEqual({
      'devkit.json': 'created',
      '.gitignore': 'created',
      'package.json': 'updated',
      '.github/workflows/devkit.yml': 'created',
    });
    expect(readJson(repo, 'devkit.json')).toEqual({ $schema: './node_modules/devkit/schema.json' });
    expect(readFileSync(join(repo, '.github/workflows/devkit.yml'), 'utf8')).toContain(
      '      # - name: devkit build\n',
    );
    expect(result.notes).toContain(
      'node: not pinned anywhere; pin it with `node --version > .node-version` so every checkout and CI run the same',
    );
    const env = await devkit(['env', '--json'], repo);
    expect(env.exitCode, env.stderr).toBe(0);
    expect(new Set((await init(repo)).files.map((f) => f.action))).toEqual(new Set(['unchanged']));
  });

  it('the prepare script it writes does not fail a pnpm install outside a git checkout (a Docker build context); devkit hooks install run by hand still does', async () => {
    const dir = tempDir('devkit-init-nogit-');
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFiles(dir, { 'package.json': { name: 'image', private: true } });
    await init(dir);
    const scripts = readJson(dir, 'package.json').scripts as Record<string, string>;
    expect(scripts.prepare).toBe('devkit hooks install');
    const prepare = spawnSync('pnpm', ['run', 'prepare'], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
    expect(prepare.status, `${prepare.stdout}${prepare.stderr}`).toBe(0);
    expect(prepare.stdout).toContain('is not a git checkout: no git hooks to install');
    const byHand = await devkit(['hooks', 'install'], dir);
    expect(byHand.exitCode).toBe(2);
    expect(byHand.stderr).toContain('E_NOT_A_GIT_REPO');
  });

  it('outside a package: exit 2 with the fix', async () => {
    const run = await devkit(['init'], tempDir());
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('has no package.json: devkit init adopts an existing pnpm repo');
  });
});
