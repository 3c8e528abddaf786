import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, gitInit, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';
import { cloneAndInstall, fixtureRepo, type EntryListing } from './helpers.js';

interface BuildJson {
  turbo: { source: string; version: string | null; config: string; packageManager: string | null } | null;
  unignored: string[];
  artifacts: Array<{ name: string; digest: string; reused: boolean }>;
}

afterAll(cleanupTempDirs);

/** The files of one layer of an artifact, as `artifact inspect --entries` lists them. */
async function layerFiles(cwd: string, ref: string, part: string): Promise<string[]> {
  const inspect = await runDevkit(['artifact', 'inspect', ref, '--entries', '--json'], { cwd });
  expect(inspect.exitCode, inspect.stderr).toBe(0);
  const { entries } = JSON.parse(inspect.stdout) as { entries: Record<string, EntryListing[]> };
  return (entries[part] ?? [])
    .filter((e) => e.type !== 'Directory')
    .map((e) => e.path)
    .sort();
}

/**
 * A pnpm workspace with neither turbo (no devDependency, no turbo.json) nor a packageManager
 * declaration, and a .gitignore that does not list .devkit/ or .turbo/: the api builds with a
 * plain node script, its workspace dependency has no build script at all.
 */
function plainRepo(): string {
  const root = tempDir('devkit-plain-');
  writeFiles(root, {
    'package.json': { name: 'plain', private: true },
    'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - packages/*\n',
    '.gitignore': 'node_modules/\ndist/\n',
    'devkit.json': { artifacts: { deployables: ['apps/api'] } },
    'apps/api/package.json': {
      name: '@plain/api',
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: { build: 'node build.mjs' },
      dependencies: { '@plain/lib': 'workspace:*' },
    },
    'apps/api/build.mjs': [
      "import { mkdirSync, writeFileSync } from 'node:fs';",
      "mkdirSync(new URL('./dist/', import.meta.url), { recursive: true });",
      "writeFileSync(new URL('./dist/server.js', import.meta.url), 'export const up = true;\\n');",
      "writeFileSync(new URL('./dist/server.js.map', import.meta.url), '{}\\n');",
      '',
    ].join('\n'),
    'packages/lib/package.json': { name: '@plain/lib', version: '1.0.0', private: true, main: 'index.js' },
    'packages/lib/index.js': 'module.exports = 1;\n',
  });
  execFileSync('pnpm', ['install', '--prefer-offline'], {
    cwd: root,
    stdio: 'pipe',
    env: { ...process.env, CI: 'true' },
  });
  gitInit(root);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'plain');
  return root;
}

describe('devkit build without turbo, turbo.json or packageManager', () => {
  let root: string;
  beforeAll(() => {
    root = plainRepo();
  }, 120_000);

  it("plans devkit's own turbo with the default pipeline, builds and packs the app's dist, and a second build reuses it", async () => {
    expect(existsSync(join(root, 'node_modules/.bin/turbo'))).toBe(false);
    const planned = await runDevkit(['build', '--dry-run', '--json'], { cwd: root });
    expect(planned.exitCode, planned.stderr).toBe(0);
    const plan = (JSON.parse(planned.stdout) as { plan: { turbo: Record<string, unknown> & { command: string[] } } })
      .plan.turbo;
    expect(plan.command).toEqual([
      'turbo',
      'run',
      'build',
      '--filter',
      '@plain/api...',
      '--output-logs=errors-only',
      '--root-turbo-json',
      '.devkit/turbo.json',
      '--dangerously-disable-package-manager-check',
      '--skip-infer',
    ]);
    expect(plan).toMatchObject({
      turbo: { source: 'devkit', version: expect.stringMatching(/^2\./) },
      config: { path: '.devkit/turbo.json', generated: true },
      packageManager: { declared: null },
    });

    const first = await runDevkit(['build', '--json'], { cwd: root });
    expect(first.exitCode, first.stderr).toBe(0);
    const built = JSON.parse(first.stdout) as BuildJson;
    expect(built.turbo).toMatchObject({ source: 'devkit', config: '.devkit/turbo.json', packageManager: null });
    // .devkit/ ignores itself (its own .gitignore of `*`); turbo's folders are the repo's to list.
    expect(readFileSync(join(root, '.devkit/.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(built.unignored).toEqual(['.turbo/']);
    const api = built.artifacts[0]!;
    expect(api.reused).toBe(false);
    // Nothing written into the user's tree: no turbo.json, no package.json change.
    expect(existsSync(join(root, 'turbo.json'))).toBe(false);
    expect(git(root, 'status', '--porcelain', '--untracked-files=normal', '--', 'package.json', 'turbo.json')).toBe('');
    expect(JSON.parse(readFileSync(join(root, '.devkit/turbo.json'), 'utf8'))).toMatchObject({
      tasks: { build: { dependsOn: ['^build'], outputs: expect.arrayContaining(['dist/**']) } },
    });
    expect(await layerFiles(root, `api@${api.digest}`, 'app')).toEqual([
      'build.mjs',
      'dist/server.js',
      'dist/server.js.map',
      'package.json',
    ]);

    // turbo's folders are untracked and not ignored here, and still the tree is clean to devkit.
    expect(git(root, 'status', '--porcelain', '--untracked-files=normal').split('\n').filter(Boolean).sort()).toEqual([
      '?? .turbo/',
      '?? apps/api/.turbo/',
    ]);
    const second = await runDevkit(['build'], { cwd: root });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toContain(`api@${api.digest}`);
    expect(second.stdout).toContain('reused: inputs unchanged');
    expect(second.stderr.match(/\.gitignore does not list \.turbo\//g)).toHaveLength(1);
    expect(second.stderr).toContain('`devkit init` does');
  }, 300_000);
});

describe('turbo.json as turbo reads it', () => {
  it('packs the outputs of a JSONC turbo.json with brace globs and negations, a package override, and refuses outputs that match nothing', async () => {
    const root = await cloneAndInstall(fixtureRepo(), 'jsonc');
    writeFileSync(
      join(root, 'turbo.json'),
      `{
  // build outputs: compiled code and generated files, no source maps
  "$schema": "https://turbo.build/schema.json",
  "tasks": {
    "build": {
      "dependsOn": ["^build"],
      "outputs": ["{dist,build}/**", "!dist/**/*.map",], /* trailing commas too */
    },
  },
}
`,
    );
    writeFiles(root, {
      'apps/api/tsconfig.json': {
        extends: '../../tsconfig.base.json',
        compilerOptions: { rootDir: 'src', outDir: 'dist', sourceMap: true },
        include: ['src'],
      },
      'apps/web/turbo.json': { extends: ['//'], tasks: { build: { outputs: ['dist/index.html'] } } },
    });
    const apiManifest = JSON.parse(readFileSync(join(root, 'apps/api/package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    apiManifest.scripts.build = 'tsc -p tsconfig.json && mkdir -p build && echo 1 > build/version.txt';
    writeFiles(root, {
      'apps/api/package.json': apiManifest,
      '.gitignore': `${readFileSync(join(root, '.gitignore'), 'utf8')}build/\n`,
    });
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'turbo.json with comments, brace globs and a package override');

    const result = await runDevkit(['build', '--json'], { cwd: root });
    expect(result.exitCode, result.stderr).toBe(0);
    const built = JSON.parse(result.stdout) as BuildJson;
    expect(built.turbo).toMatchObject({ source: 'repo', version: '2.11.11', config: 'turbo.json' });
    expect(existsSync(join(root, 'apps/api/dist/server.js.map'))).toBe(true);
    const api = built.artifacts.find((a) => a.name === 'api')!;
    const web = built.artifacts.find((a) => a.name === 'web')!;
    expect((await layerFiles(root, `api@${api.digest}`, 'app')).filter((p) => /^(dist|build)\//.test(p))).toEqual([
      'build/version.txt',
      'dist/server.d.ts',
      'dist/server.js',
    ]);
    // web's own turbo.json replaces the root outputs: its page.js stays out.
    expect(existsSync(join(root, 'apps/web/dist/page.js'))).toBe(true);
    expect((await layerFiles(root, `web@${web.digest}`, 'app')).filter((p) => p.startsWith('dist/'))).toEqual([
      'dist/index.html',
    ]);

    writeFiles(root, { 'apps/web/turbo.json': { extends: ['//'], tasks: { build: { outputs: ['out/**'] } } } });
    git(root, 'commit', '-q', '-am', 'web outputs that its build never writes');
    const refused = await runDevkit(['build'], { cwd: root });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'E_OUTPUTS_EMPTY: web (apps/web): outputs ["out/**"] from apps/web/turbo.json tasks["build"].outputs match no file after its build',
    );
    expect(refused.stderr).toContain('correct that list');
    const index = JSON.parse(readFileSync(join(root, '.devkit/store/index.json'), 'utf8')) as {
      manifests: Array<{ annotations?: Record<string, string> }>;
    };
    const webBuilds = index.manifests.filter(
      (m) =>
        m.annotations?.['dev.devkit.artifact.name'] === 'web' && m.annotations['dev.devkit.index.kind'] === 'build',
    );
    expect(webBuilds).toHaveLength(1);

    // The repo's own turbo without a packageManager declaration: told to infer it, it builds.
    writeFiles(root, {
      'apps/web/turbo.json': { extends: ['//'], tasks: { build: { outputs: ['dist/index.html'] } } },
    });
    const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    delete rootManifest.packageManager;
    writeFiles(root, { 'package.json': rootManifest });
    git(root, 'commit', '-q', '-am', 'no packageManager');
    const undeclared = await runDevkit(['build', '--json'], { cwd: root });
    expect(undeclared.exitCode, undeclared.stderr).toBe(0);
    expect((JSON.parse(undeclared.stdout) as BuildJson).turbo).toMatchObject({ source: 'repo', packageManager: null });
  }, 300_000);
});

describe('a repo on turbo 1 (its own, from the npm registry)', () => {
  it('is refused without turbo.json, naming the fix, and builds with turbo 1 and a pipeline but no packageManager', async () => {
    const root = tempDir('devkit-turbo1-');
    writeFiles(root, {
      'package.json': { name: 'old', private: true, devDependencies: { turbo: '1.13.4' } },
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
      '.gitignore': 'node_modules/\ndist/\n.devkit/\n.turbo/\n',
      'devkit.json': { artifacts: { deployables: ['apps/api'] } },
      'apps/api/package.json': {
        name: '@old/api',
        version: '1.0.0',
        private: true,
        scripts: { build: 'mkdir -p dist && echo built > dist/server.js' },
      },
    });
    execFileSync('pnpm', ['install', '--prefer-offline'], {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, CI: 'true' },
    });
    gitInit(root);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'turbo 1');

    const refused = await runDevkit(['build'], { cwd: root });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      `E_TURBO_TOO_OLD: ${root}'s turbo 1.13.4 has no --root-turbo-json, which this repo needs (no turbo.json)`,
    );
    expect(refused.stderr).toContain('{"pipeline":{"build":{"dependsOn":["^build"],"outputs":["dist/**"]}}}');
    expect(existsSync(join(root, 'apps/api/dist'))).toBe(false);

    writeFiles(root, { 'turbo.json': { pipeline: { build: { outputs: ['dist/**'] } } } });
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'pipeline');
    const built = await runDevkit(['build', '--json'], { cwd: root });
    expect(built.exitCode, built.stderr).toBe(0);
    const json = JSON.parse(built.stdout) as BuildJson;
    expect(json.turbo).toMatchObject({ source: 'repo', version: '1.13.4', config: 'turbo.json', packageManager: null });
    expect(await layerFiles(root, `api@${json.artifacts[0]!.digest}`, 'app')).toEqual([
      'dist/server.js',
      'package.json',
    ]);
  }, 180_000);
});
