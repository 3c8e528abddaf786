import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanupTempDirs, git, gitInit, tempDir, writeFiles } from '@devkit/test-utils';
import type { CheckContext, RepoCheck } from './checks.js';
import { runHookChecks } from './run-checks.js';

afterAll(cleanupTempDirs);

function repoWithManifest(): string {
  const repo = tempDir('devkit-checks-');
  gitInit(repo);
  writeFiles(repo, { 'package.json': { name: 'r', version: '1.0.0' }, 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'initial');
  return repo;
}

/** A registered check that records what it was given. */
function recordingCheck(seen: CheckContext[], contents: Array<string | undefined>): RepoCheck {
  return {
    name: 'lockfile',
    appliesTo: (files) => files.includes('package.json'),
    run: async (ctx) => {
      seen.push(ctx);
      contents.push(
        await ctx.reader.readFile('package.json'),
        await ctx.reader.readFile('pnpm-lock.yaml'),
        await ctx.reader.readFile('absent.json'),
      );
      return [{ check: 'lockfile', code: 'drift', severity: 'error', file: 'package.json', message: 'demo finding' }];
    },
  };
}

describe('runHookChecks with a registered check', () => {
  it('feeds the check the staged content, not the working copy', async () => {
    const repo = repoWithManifest();
    writeFileSync(join(repo, 'package.json'), '{"name":"r","version":"2.0.0-staged"}\n');
    git(repo, 'add', 'package.json');
    writeFileSync(join(repo, 'package.json'), '{"name":"r","version":"3.0.0-working-copy"}\n');
    writeFileSync(join(repo, 'absent.json'), '{}\n'); // untracked: not in the index, so not there
    const seen: CheckContext[] = [];
    const contents: Array<string | undefined> = [];
    const report = await runHookChecks({
      root: repo,
      scope: { kind: 'staged' },
      fix: true,
      lintStaged: false,
      checks: [recordingCheck(seen, contents)],
      env: process.env,
    });
    expect(seen[0]?.files).toEqual(['package.json']);
    expect(contents).toEqual(['{"name":"r","version":"2.0.0-staged"}\n', "lockfileVersion: '9.0'\n", undefined]);
    expect(report.checks).toEqual([{ name: 'lockfile', status: 'failed' }]);
    expect(report.findings.map((f) => f.message)).toEqual(['demo finding']);
  });

  it('does not run a check none of whose files changed', async () => {
    const repo = repoWithManifest();
    writeFileSync(join(repo, 'README.md'), 'hello\n');
    git(repo, 'add', 'README.md');
    const seen: CheckContext[] = [];
    const report = await runHookChecks({
      root: repo,
      scope: { kind: 'staged' },
      fix: true,
      lintStaged: false,
      checks: [recordingCheck(seen, [])],
      env: process.env,
    });
    expect(seen).toEqual([]);
    expect(report.checks).toEqual([{ name: 'lockfile', status: 'skipped', reason: 'no file it checks is changed' }]);
  });

  it('works from a repo root below the git top: paths are relative to the root', async () => {
    const top = tempDir('devkit-sub-');
    gitInit(top);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(top, 'node_modules'));
    writeFiles(top, {
      'web/package.json': { name: 'web', type: 'module' },
      'web/eslint.config.js': "export default [{ files: ['**/*.js'], rules: { semi: ['error', 'always'] } }];\n",
      'other/x.js': 'broken(\n',
    });
    git(top, 'add', '-A');
    git(top, 'commit', '-qm', 'initial');
    writeFiles(top, { 'web/src/a.js': 'export const a = 1\n', 'other/y.js': 'also ignored(\n' });
    git(top, 'add', '-A');
    const report = await runHookChecks({
      root: join(top, 'web'),
      scope: { kind: 'staged' },
      fix: true,
      lintStaged: true,
      checks: [],
      env: process.env,
    });
    expect(report.files).toEqual(['src/a.js']);
    expect(report.fixed).toEqual([{ file: 'src/a.js', where: 'index+worktree' }]);
    expect(git(top, 'show', ':web/src/a.js')).toBe('export const a = 1;\n');
  });
});
