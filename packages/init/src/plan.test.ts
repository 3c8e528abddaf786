import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@devkit/config/schema';
import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { applyInit } from './apply.js';
import { planDiff, planInit, type InitPlan } from './plan.js';

afterAll(cleanupTempDirs);

function repo(files: Record<string, string | object> = {}): string {
  const root = tempDir();
  writeFiles(root, {
    'package.json': {
      name: 'acme',
      private: true,
      packageManager: 'pnpm@10.34.9',
      devDependencies: { devkit: '1.0.0' },
    },
    'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
    'apps/api/package.json': { name: 'api', scripts: { start: 'node .' } },
    'docker-compose.yml': 'services:\n  db:\n    image: postgres:15\n    environment:\n      POSTGRES_DB: app\n',
    ...files,
  });
  return root;
}

const actions = (plan: InitPlan) => Object.fromEntries(plan.files.map((f) => [f.path, f.action]));
const plan = (root: string, force = false) => planInit({ root, force, lintStagedFiles: [] });

describe('planInit + applyInit', () => {
  it('writes devkit.json, .gitignore, prepare and the workflow; a second run changes nothing', async () => {
    const root = repo();
    const first = await plan(root);
    expect(actions(first)).toEqual({
      'devkit.json': 'created',
      '.gitignore': 'created',
      'package.json': 'updated',
      '.github/workflows/devkit.yml': 'created',
    });
    expect(await applyInit(first)).toEqual([
      'devkit.json',
      '.gitignore',
      'package.json',
      '.github/workflows/devkit.yml',
    ]);
    const config = parseConfig(readFileSync(join(root, 'devkit.json'), 'utf8'), 'devkit.json');
    expect(config).toEqual({
      $schema: './node_modules/devkit/schema.json',
      services: { postgres: { version: '15', databases: ['app'] } },
      artifacts: { deployables: ['apps/api'] },
    });
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.prepare).toBe('devkit hooks install');

    const second = await plan(root);
    expect(new Set(second.files.map((f) => f.action))).toEqual(new Set(['unchanged']));
    expect(planDiff(second)).toBe('');
    expect(await applyInit(second)).toEqual([]);
  });

  it('an existing devkit.json gains only missing keys and says what it kept; --force replaces it', async () => {
    const existing =
      '{\n  // staging first\n  "services": { "postgres": { "version": "14" } },\n  "environments": { "staging": { "registry": "https://registry.example.com" } }\n}\n';
    const root = repo({ 'devkit.json': existing });
    const merged = await plan(root);
    const file = merged.files.find((f) => f.path === 'devkit.json')!;
    expect(file).toMatchObject({ action: 'updated', reason: 'added $schema, services.postgres.databases, artifacts' });
    expect(file.after).toContain('// staging first');
    expect(file.after).toContain('"services": { "postgres": { "version": "14", "databases": ["app"] } },');
    expect(merged.notes).toContain(
      'devkit.json: kept the value it has for services.postgres.version (devkit init --force replaces the file with what it infers)',
    );
    // a registry in devkit.json turns the workflow's push on
    expect(merged.files.find((f) => f.path === '.github/workflows/devkit.yml')!.after).toContain(
      '    pnpm exec devkit artifact push api --registry https://registry.example.com',
    );

    const forced = await plan(root, true);
    const replaced = forced.files.find((f) => f.path === 'devkit.json')!;
    expect(replaced).toMatchObject({ action: 'updated', reason: 'replaced (--force)' });
    expect(JSON.parse(replaced.after)).toMatchObject({ services: { postgres: { version: '15' } } });
  });

  it('a changed workflow and an unreadable devkit.json are kept (skipped) without --force', async () => {
    const root = repo({ '.github/workflows/devkit.yml': 'name: ours\n', 'devkit.json': '{ "services": ' });
    const result = await plan(root);
    expect(result.files.find((f) => f.path === '.github/workflows/devkit.yml')).toMatchObject({
      action: 'skipped',
      reason: 'it exists and differs from what devkit init writes; devkit init --force replaces it',
    });
    expect(result.files.find((f) => f.path === 'devkit.json')).toMatchObject({
      action: 'skipped',
      reason: 'it is not a JSON object; fix it, or replace it with devkit init --force',
    });
    await applyInit(result);
    expect(readFileSync(join(root, '.github/workflows/devkit.yml'), 'utf8')).toBe('name: ours\n');
    expect(actions(await plan(root, true))['.github/workflows/devkit.yml']).toBe('updated');
  });

  it('an existing devkit.json the schema rejects is kept, with the schema error as the reason', async () => {
    const root = repo({ 'devkit.json': '{ "servics": {} }\n' });
    const file = (await plan(root)).files.find((f) => f.path === 'devkit.json')!;
    expect(file.action).toBe('skipped');
    expect(file.reason).toContain('servics');
  });

  it('the dry-run diff is a unified diff of every file it would write', async () => {
    const root = repo({ '.gitignore': 'node_modules\n' });
    const diff = planDiff(await plan(root));
    expect(diff).toContain('--- /dev/null\n+++ b/devkit.json\n@@ -0,0 +1,');
    expect(diff).toContain('--- a/.gitignore\n+++ b/.gitignore\n@@ -1,1 +1,7 @@\n node_modules\n+\n+# devkit:');
    expect(diff).toContain('--- a/package.json\n+++ b/package.json\n');
    expect(diff).toContain('+    "prepare": "devkit hooks install"');
  });

  it('keeps a hook file it writes executable, and a rewritten file its mode', async () => {
    const root = repo({
      // `root:` has no devkit equivalent: the job keeps running through lefthook, from .husky/
      'lefthook.yml': 'pre-commit:\n  commands:\n    types:\n      root: web/\n      run: pnpm tsc --noEmit\n',
      'package.json': { name: 'x', scripts: { prepare: 'lefthook install' } },
    });
    writeFileSync(join(root, '.gitignore'), 'node_modules\n', { mode: 0o600 });
    const result = await plan(root);
    expect(result.files.find((f) => f.path === '.husky/pre-commit')?.after).toContain(
      'lefthook run pre-commit --no-auto-install --command types "$@"',
    );
    await applyInit(result);
    expect(statSync(join(root, '.husky/pre-commit')).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, '.gitignore')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.prepare).toBe('devkit hooks install');
    expect(new Set((await plan(root)).files.map((f) => f.action))).toEqual(new Set(['unchanged']));
  });

  it("the workflow installs the pinned pnpm, else the major of the pnpm on PATH, never 'latest'", async () => {
    const workflowOf = (p: InitPlan) => p.files.find((f) => f.path === '.github/workflows/devkit.yml')!.after;
    expect(workflowOf(await plan(repo()))).toContain('npm install --global pnpm@10.34.9');
    const unpinned = repo({ 'package.json': { name: 'acme', private: true } });
    const onPath = await planInit({ root: unpinned, force: false, lintStagedFiles: [], pnpmOnPath: '9.15.9' });
    expect(workflowOf(onPath)).toContain('npm install --global pnpm@9\n');
    expect(onPath.notes.join('\n')).toContain('pnpm pkg set packageManager=');
    const nothing = await planInit({ root: unpinned, force: false, lintStagedFiles: [], pnpmOnPath: undefined });
    expect(workflowOf(nothing)).toContain('npm install --global pnpm@10\n');
    expect(workflowOf(nothing)).not.toContain('pnpm@latest');
  });

  it("answers pnpm 11's undecided allowBuilds for devkit's own dependencies with false; a second run changes nothing", async () => {
    const root = repo({
      'pnpm-workspace.yaml':
        'packages:\n  - apps/*\n# approved builds\nallowBuilds:\n  esbuild: true\n  ssh2: set this to true or false\n  sharp: set this to true or false\n',
    });
    const first = await plan(root);
    expect(first.files.find((f) => f.path === 'pnpm-workspace.yaml')).toMatchObject({
      action: 'updated',
      reason: 'allowBuilds: ssh2 false',
    });
    expect(first.notes.join('\n')).toContain('pnpm-workspace.yaml allowBuilds: ssh2 set to false');
    await applyInit(first);
    expect(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')).toBe(
      'packages:\n  - apps/*\n# approved builds\nallowBuilds:\n  esbuild: true\n  ssh2: false\n  sharp: set this to true or false\n',
    );
    expect((await plan(root)).files.map((f) => f.path)).not.toContain('pnpm-workspace.yaml');
  });

  it('no package.json is exit 2 with the fix', async () => {
    await expect(planInit({ root: tempDir(), force: false, lintStagedFiles: [] })).rejects.toMatchObject({
      code: 'E_INIT_NO_PACKAGE_JSON',
      exitCode: 2,
    });
  });
});
