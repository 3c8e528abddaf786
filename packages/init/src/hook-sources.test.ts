import { afterAll, describe, expect, it } from 'vitest';
import { findLintStagedConfigs } from '@devkit/hooks';
import { cleanupTempDirs, git, gitInit, tempDir, writeFiles } from '@devkit/test-utils';
import { huskyCommands, inferHooks, keptHookFiles, runsLintStaged } from './hook-sources.js';

afterAll(cleanupTempDirs);

/** inferHooks as devkit init calls it: package.json read, lint-staged found by the hook's own locator. */
async function infer(files: Record<string, string | object>) {
  const root = tempDir();
  writeFiles(root, files);
  const manifest = files['package.json'] as Record<string, unknown> | undefined;
  const lintStaged = await findLintStagedConfigs(root);
  return inferHooks(
    root,
    manifest,
    lintStaged.map((c) => c.file),
  );
}

const HUSKY_REPO = {
  'package.json': { name: 'a', 'lint-staged': { '*.js': 'eslint' } },
  '.husky/pre-commit': '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\nnpx lint-staged\npnpm test\n',
  '.husky/commit-msg': 'npx --no -- commitlint --edit "$1"\n',
  '.husky/post-merge': 'pnpm install\n',
};

const LEFTHOOK_YML = `min_version: 1.5.0
pre-commit:
  parallel: true
  commands:
    staged:
      run: pnpm exec lint-staged
    types:
      glob: "*.{ts,tsx}"
      run: pnpm tsc --noEmit
    format:
      root: packages/web/
      run: pnpm prettier --write {staged_files}
pre-push:
  jobs:
    - name: test
      run: pnpm test {push_files}
post-checkout:
  commands:
    deps:
      run: pnpm install
`;

describe('inferHooks', () => {
  it('husky + lint-staged in package.json: lint-staged becomes the check, other lines command entries, in order', async () => {
    const result = await infer(HUSKY_REPO);
    expect(result.hooks).toEqual({
      'commit-msg': [{ run: 'npx --no -- commitlint --edit "$1"' }],
      'pre-commit': ['lint-staged', { run: 'pnpm test' }, 'lockfile'],
    });
    expect(result.sources).toEqual([
      { tool: 'husky', file: '.husky/' },
      { tool: 'lint-staged', file: 'package.json' },
    ]);
    expect(result.migrated.map((c) => c.run)).toEqual([
      'npx --no -- commitlint --edit "$1"',
      'npx lint-staged',
      'pnpm test',
    ]);
    expect(result.unmigrated).toEqual([]);
    expect(result.keep).toEqual([]);
    expect(result.notes.join('\n')).toContain('.husky/post-merge: devkit runs no post-merge hook');
    expect(result.notes.join('\n')).toContain("sources _/husky.sh, husky 8's runner");
    expect(result.removal.join('\n')).toContain('pnpm remove husky');
  });

  it('a husky hook with shell structure is carried over as one command', async () => {
    const result = await infer({
      'package.json': { name: 'a' },
      '.husky/pre-push': 'if [ "$CI" = "" ]; then\n  pnpm test\nfi\n',
    });
    expect(result.hooks?.['pre-push']).toEqual([{ run: 'if [ "$CI" = "" ]; then\npnpm test\nfi' }]);
  });

  it('lefthook: lint-staged becomes the check, plain jobs command entries; jobs with options devkit lacks keep running through lefthook', async () => {
    const result = await infer({
      'package.json': { name: 'b' },
      '.lintstagedrc.json': { '*.ts': 'eslint --fix' },
      'lefthook.yml': LEFTHOOK_YML,
    });
    expect(result.hooks).toEqual({
      'pre-commit': ['lint-staged', { name: 'types', run: 'pnpm tsc --noEmit', glob: '*.{ts,tsx}' }, 'lockfile'],
    });
    expect(result.sources.map((s) => s.tool)).toEqual(['lefthook', 'lint-staged']);
    expect(result.unmigrated.map((c) => [c.where, c.blocker])).toEqual([
      ['lefthook.yml pre-commit.commands.format', "lefthook's root has no devkit equivalent"],
      [
        'lefthook.yml pre-push.jobs[test]',
        "{push_files} is lefthook's; devkit fills in {staged_files} and {files} only",
      ],
    ]);
    expect(result.keep).toEqual([
      expect.objectContaining({
        hook: 'pre-commit',
        body: expect.stringContaining('\nlefthook run pre-commit --no-auto-install --command format "$@"\n'),
      }),
      expect.objectContaining({
        hook: 'pre-push',
        body: expect.stringContaining('\nlefthook run pre-push --no-auto-install --job test "$@"\n'),
      }),
    ]);
    expect(result.notes.join('\n')).toContain('lefthook.yml post-checkout: devkit runs no post-checkout hook');
  });

  it('lefthook: a hook gated by only or skip keeps its jobs running through lefthook, not as unconditional entries', async () => {
    const result = await infer({
      'package.json': { name: 'g' },
      'lefthook.yml': `pre-commit:
  only:
    - ref: main
  jobs:
    - name: no commits on main
      run: exit 1
pre-push:
  skip: merge
  jobs:
    - run: pnpm test
`,
    });
    // an `exit 1` guard of main alone must not block every commit on every branch
    expect(result.hooks).toEqual({ 'pre-commit': ['lockfile'] });
    expect(result.unmigrated.map((c) => [c.where, c.blocker])).toEqual([
      ['lefthook.yml pre-commit.jobs[no commits on main]', "lefthook's pre-commit.only has no devkit equivalent"],
      ['lefthook.yml pre-push.jobs[0]', "lefthook's pre-push.skip has no devkit equivalent"],
    ]);
    expect(result.keep.map((k) => k.hook)).toEqual(['pre-commit', 'pre-push']);
    expect(result.keep[0]?.body).toContain("lefthook run pre-commit --no-auto-install --job 'no commits on main'");
  });

  it('husky: a script that looks for a package manager to run lint-staged with becomes the check alone, so lint-staged runs once', async () => {
    const script = [
      '#!/usr/bin/env sh',
      'if command -v pnpm >/dev/null 2>&1; then',
      '  pnpm lint-staged',
      'elif command -v npm >/dev/null 2>&1; then',
      '  npm exec --yes pnpm@11.7.0 lint-staged',
      'elif command -v corepack >/dev/null 2>&1; then',
      '  corepack pnpm lint-staged',
      'else',
      '  echo "Error: pnpm, npm, and corepack are unavailable in this Git hook PATH."',
      '  exit 127',
      'fi',
      '',
    ].join('\n');
    const result = await infer({
      'package.json': { name: 'w' },
      '.lintstagedrc.json': { '*.ts': 'eslint --fix' },
      '.husky/pre-commit': script,
    });
    expect(result.hooks).toEqual({ 'pre-commit': ['lint-staged', 'lockfile'] });
    // a script that does more than launch lint-staged is still kept whole
    const more = await infer({
      'package.json': { name: 'w2' },
      '.lintstagedrc.json': { '*.ts': 'eslint --fix' },
      '.husky/pre-commit': 'if [ -z "$CI" ]; then\n  pnpm lint-staged\n  pnpm test\nfi\n',
    });
    expect(more.hooks?.['pre-commit']).toEqual([
      'lint-staged',
      { run: 'if [ -z "$CI" ]; then\npnpm lint-staged\npnpm test\nfi' },
      'lockfile',
    ]);
    expect(runsLintStaged('corepack pnpm lint-staged')).toBe(true);
    expect(runsLintStaged('npm exec --yes pnpm@11.7.0 lint-staged --quiet')).toBe(true);
  });

  it('simple-git-hooks in package.json: a chained command is split, lint-staged carried over, the rest a command entry', async () => {
    const files = {
      'package.json': {
        name: 'c',
        'simple-git-hooks': { 'pre-commit': 'npx lint-staged && npm test', preserveUnused: true },
        'lint-staged': { '*': 'prettier --check' },
      },
    };
    const result = await infer(files);
    expect(result.hooks).toEqual({ 'pre-commit': ['lint-staged', { run: 'npm test' }, 'lockfile'] });
    expect(result.keep).toEqual([]);
  });

  it('a kept hook file runs what it keeps as it was: simple-git-hooks commands verbatim, lefthook through lefthook run', () => {
    const kept = keptHookFiles([
      {
        tool: 'simple-git-hooks',
        where: 'package.json "simple-git-hooks" pre-push',
        hook: 'pre-push',
        run: 'npm test',
      },
      { tool: 'lefthook', where: 'lefthook.yml pre-commit.jobs[0]', hook: 'pre-commit', run: 'x {push_files}' },
    ]);
    expect(kept.map((k) => [k.tool, k.hook, k.body.split('\n').filter((l) => l && !l.startsWith('#'))])).toEqual([
      ['lefthook', 'pre-commit', ['lefthook run pre-commit --no-auto-install "$@"']],
      ['simple-git-hooks', 'pre-push', ['npm test']],
    ]);
    expect(kept[0]!.body).toContain('written by devkit init');
  });

  it('simple-git-hooks in its own file, without lint-staged: the call is noted, the lockfile check still added', async () => {
    const result = await infer({
      'package.json': { name: 'd' },
      '.simple-git-hooks.json': { 'pre-commit': 'npx lint-staged' },
    });
    expect(result.sources).toEqual([{ tool: 'simple-git-hooks', file: '.simple-git-hooks.json' }]);
    expect(result.hooks).toEqual({ 'pre-commit': ['lockfile'] });
    expect(result.notes[0]).toContain('runs lint-staged, but no lint-staged config was found');
  });

  it("a nested per-package lint-staged config counts, as the hook's locator finds it in a git repo", async () => {
    const root = tempDir();
    gitInit(root);
    writeFiles(root, {
      'package.json': { name: 'ws' },
      'packages/web/package.json': { name: 'web', 'lint-staged': { '*.css': 'stylelint' } },
      'packages/api/.lintstagedrc.json': { '*.ts': 'eslint' },
    });
    git(root, 'add', '-A');
    const files = (await findLintStagedConfigs(root)).map((c) => c.file);
    const result = await inferHooks(root, { name: 'ws' }, files);
    expect(result.hooks).toEqual({ 'pre-commit': ['lint-staged', 'lockfile'] });
    expect(result.sources).toEqual([
      { tool: 'lint-staged', file: 'packages/api/.lintstagedrc.json, packages/web/package.json' },
    ]);
  });

  it('a repo with no hook tool gets no hooks key (devkit defaults apply)', async () => {
    const result = await infer({ 'package.json': { name: 'e' } });
    expect(result.hooks).toBeUndefined();
    expect(result.sources).toEqual([]);
  });
});

describe('hook commands', () => {
  it('recognises lint-staged however it is called', () => {
    for (const call of [
      'npx lint-staged',
      'npx --no -- lint-staged',
      'pnpm exec lint-staged --concurrent false',
      'pnpm lint-staged',
      'yarn lint-staged',
      'lint-staged',
      './node_modules/.bin/lint-staged',
    ])
      expect(runsLintStaged(call), call).toBe(true);
    for (const call of ['pnpm test', 'npx lint-staged-helper', 'echo lint-staged'])
      expect(runsLintStaged(call), call).toBe(false);
  });

  it("drops husky's boilerplate and devkit's own lines", () => {
    const body =
      '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n# comment\ncommand -v devkit >/dev/null 2>&1 || exit 1\ndevkit hooks run pre-commit "$@"\npnpm test\n';
    expect(huskyCommands(body)).toEqual(['pnpm test']);
  });
});
