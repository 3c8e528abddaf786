import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanupTempDirs, git, gitInit, tempDir, writeFiles } from '@devkit/test-utils';
import { compileOutputs, matchesPatterns } from './glob.js';
import { DEFAULT_BUILD_OUTPUTS, defaultTurboJson, readTurboJson, resolveBuildOutputs } from './turbo-config.js';

afterAll(cleanupTempDirs);

const PACKAGES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

/** A workspace whose turbo configs use every form devkit reads: JSONC, package configurations, $TURBO_EXTENDS$, $TURBO_ROOT$. */
function workspace(): string {
  const root = tempDir();
  const files: Record<string, string | object> = {
    'package.json': { name: 'ty', private: true, packageManager: 'pnpm@10.34.9' },
    'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - packages/*\n',
    'pnpm-lock.yaml': `lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n\n${[...PACKAGES.map((p) => `apps/${p}`), 'packages/shared-config'].map((d) => `  ${d}: {}\n`).join('\n')}`,
    'turbo.jsonc': `{
  // comments and trailing commas, as turbo reads them
  "tasks": {
    "build": { "dependsOn": ["^build"], "outputs": ["{dist,build}/**", "!dist/**/*.map",], },
    "@ty/d#build": { "outputs": ["out/**"] }, /* a package-specific task */
  },
}
`,
    'packages/shared-config/package.json': { name: 'shared-config', version: '1.0.0' },
    'packages/shared-config/turbo.json': { extends: ['//'], tasks: { build: { outputs: ['shared/**'] } } },
    'apps/a/turbo.json': {
      extends: ['//'],
      tasks: { build: { outputs: ['$TURBO_EXTENDS$', '.next/**', '!.next/cache/**'] } },
    },
    'apps/b/turbo.json': { extends: ['//'], tasks: { build: { outputs: ['lib/**'] } } },
    'apps/c/turbo.json': { extends: ['//'], tasks: { build: { extends: false, dependsOn: [] } } },
    'apps/d/turbo.json': { extends: ['//'], tasks: { build: { outputs: ['$TURBO_EXTENDS$', 'extra/**'] } } },
    'apps/e/turbo.json': { extends: ['//', 'shared-config'], tasks: { build: { env: ['X'] } } },
    'apps/f/turbo.json': { extends: ['//'], tasks: { build: { outputs: ['$TURBO_ROOT$/out/f/**', 'dist/**'] } } },
  };
  for (const p of PACKAGES)
    files[`apps/${p}/package.json`] = { name: `@ty/${p}`, version: '1.0.0', scripts: { build: 'true' } };
  writeFiles(root, files);
  gitInit(root);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'workspace');
  return root;
}

/** What the real turbo resolves for every package's build (its --dry=json), package-relative. */
function turboResolved(root: string): Map<string, string[]> {
  const raw = execFileSync(join(REPO_ROOT, 'node_modules/.bin/turbo'), ['run', 'build', '--dry=json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
  const json = JSON.parse(raw.slice(raw.indexOf('{'))) as {
    tasks: Array<{ package: string; resolvedTaskDefinition: { outputs: string[] } }>;
  };
  return new Map(json.tasks.map((t) => [t.package, [...t.resolvedTaskDefinition.outputs].sort()]));
}

describe('resolveBuildOutputs', () => {
  it('resolves every package as the real turbo does (JSONC, package configurations, $TURBO_EXTENDS$, $TURBO_ROOT$)', async () => {
    const root = workspace();
    const expected = turboResolved(root);
    expect(expected.size).toBe(PACKAGES.length + 1);
    for (const [dir, name] of [
      ...PACKAGES.map((p) => [`apps/${p}`, `@ty/${p}`]),
      ['packages/shared-config', 'shared-config'],
    ]) {
      const resolved = await resolveBuildOutputs(root, dir!, name!);
      expect([...resolved.globs].sort(), `${name} (from ${resolved.source})`).toEqual(expected.get(name!));
      expect(resolved.inferred).toBe(false);
    }
    const d = await resolveBuildOutputs(root, 'apps/d', '@ty/d');
    expect(d.source).toBe('turbo.jsonc tasks["@ty/d#build"].outputs + apps/d/turbo.json tasks["build"].outputs');
    expect(d.outputs).toEqual(['out/**', 'extra/**']);
    const f = await resolveBuildOutputs(root, 'apps/f', '@ty/f');
    expect(f.outputs).toEqual(['$TURBO_ROOT$/out/f/**', 'dist/**']);
  });

  it("uses devkit's default pipeline when the repo has no turbo.json, with a package's files added", async () => {
    const root = tempDir();
    writeFiles(root, { 'apps/api/package.json': { name: 'api', files: ['lib'] } });
    const plain = await resolveBuildOutputs(root, 'apps/api', 'api');
    expect(plain).toMatchObject({ inferred: true, hasTask: true, outputs: [...DEFAULT_BUILD_OUTPUTS] });
    expect(plain.source).toContain("devkit's default pipeline");
    expect((await resolveBuildOutputs(root, 'apps/api', 'api', { files: ['lib'] })).outputs).toEqual([
      ...DEFAULT_BUILD_OUTPUTS,
      'lib',
    ]);
    expect(defaultTurboJson([{ packageName: 'api', files: ['lib'] }, { packageName: 'web' }]).tasks).toEqual({
      build: { dependsOn: ['^build'], outputs: [...DEFAULT_BUILD_OUTPUTS] },
      'api#build': { dependsOn: ['^build'], outputs: [...DEFAULT_BUILD_OUTPUTS, 'lib'] },
    });
  });

  it("reads turbo 1's pipeline key, at the root and in a package configuration", async () => {
    const root = tempDir();
    writeFiles(root, {
      'turbo.json': { pipeline: { build: { outputs: ['dist/**'] } } },
      'apps/web/turbo.json': { extends: ['//'], pipeline: { build: { outputs: ['$TURBO_EXTENDS$', '.next/**'] } } },
    });
    expect(await resolveBuildOutputs(root, 'apps/api', 'api')).toMatchObject({
      outputs: ['dist/**'],
      source: 'turbo.json pipeline["build"].outputs',
    });
    expect((await resolveBuildOutputs(root, 'apps/web', 'web')).outputs).toEqual(['dist/**', '.next/**']);
  });

  it('names the file, line and column of a syntax error, and the key of a wrong shape', async () => {
    const root = tempDir();
    writeFiles(root, {
      'turbo.json': '{\n  // fine\n  "tasks": {\n    "build": { "outputs": ["dist/**" "x"] }\n  }\n}\n',
      'bad/turbo.json': { tasks: { build: { outputs: 'dist/**' } } },
      'both/turbo.json': {},
      'both/turbo.jsonc': {},
    });
    await expect(readTurboJson(join(root, 'turbo.json'))).rejects.toMatchObject({
      code: 'E_TURBO_JSON',
      exitCode: 2,
      message: expect.stringMatching(/turbo\.json:4:38: comma expected/),
    });
    await expect(readTurboJson(join(root, 'bad/turbo.json'))).rejects.toMatchObject({
      code: 'E_TURBO_JSON',
      message: expect.stringContaining('tasks["build"].outputs must be an array of glob strings, found "dist/**"'),
    });
    await expect(resolveBuildOutputs(join(root, 'both'), '.', 'x')).rejects.toMatchObject({
      code: 'E_TURBO_JSON',
      message: expect.stringContaining('turbo.jsonc both exist'),
    });
  });
});

describe('output globs', () => {
  // The files turbo 2.11 restored from its cache for each `outputs` list, after a build wrote all of `written`.
  const written = [
    '.next/cache/c.txt',
    '.next/n.txt',
    'build/b.txt',
    'build/x/y.txt',
    'dist/.hd/f',
    'dist/.hidden',
    'dist/a.js',
    'dist/a.js.map',
    'dist/sub/deep/d.txt',
    'dist/sub/s.js',
    'dist/sub/s.js.map',
  ];
  const restored: Array<[string[], string[]]> = [
    [['dist/*'], ['dist/.hidden', 'dist/a.js', 'dist/a.js.map']],
    [
      ['{dist,build}/**', '!dist/**/*.map'],
      [
        'build/b.txt',
        'build/x/y.txt',
        'dist/.hd/f',
        'dist/.hidden',
        'dist/a.js',
        'dist/sub/deep/d.txt',
        'dist/sub/s.js',
      ],
    ],
    [['dist'], written.filter((f) => f.startsWith('dist/'))],
    [['dist/'], written.filter((f) => f.startsWith('dist/'))],
    [
      ['dist/**', '!dist/sub'],
      ['dist/.hd/f', 'dist/.hidden', 'dist/a.js', 'dist/a.js.map'],
    ],
    [
      ['!dist/sub', 'dist/**'],
      ['dist/.hd/f', 'dist/.hidden', 'dist/a.js', 'dist/a.js.map'],
    ],
    [['.next/**', '!.next/cache/**'], ['.next/n.txt']],
    [['dist/*.js'], ['dist/a.js']],
    [['dist/s*'], []],
  ];
  it.each(restored)('%j keeps what turbo keeps', (outputs, kept) => {
    expect(written.filter(compileOutputs(outputs))).toEqual(kept);
  });

  it('reads package.json files as npm does: folders, braces, the last match winning', () => {
    expect(matchesPatterns('lib/x/y.js', ['lib'])).toBe(true);
    expect(matchesPatterns('bin/cli.js', ['{lib,bin}/**'])).toBe(true);
    expect(matchesPatterns('lib/x.map', ['lib', '!lib/*.map'])).toBe(false);
    expect(matchesPatterns('lib/x.map', ['!lib/*.map', 'lib'])).toBe(true);
  });
});
