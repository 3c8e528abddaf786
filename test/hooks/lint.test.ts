import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git } from '@devkit/test-utils';
import { commit, devkit, headSubject, installHooks, makeRepo } from './repo.js';

afterAll(cleanupTempDirs);

interface LintJson {
  ok: boolean;
  files: string[];
  findings: Array<{ code: string; file?: string; line?: number; rule?: string; message: string; severity: string }>;
}

describe('devkit lint (CI)', () => {
  it('--since catches what a --no-verify commit let through, with file:line, exit 1', async () => {
    const repo = makeRepo();
    await installHooks(repo);
    git(repo, 'branch', 'base');
    writeFileSync(join(repo, 'src/sneaky.js'), 'let unused = 1\n');
    git(repo, 'add', 'src/sneaky.js');
    expect(commit(repo, ['--no-verify']).status).toBe(0);
    expect(headSubject(repo)).toBe('change');

    const run = await devkit(['lint', '--since', 'base'], repo);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('✗ lint: 3 problems in 1 file changed since base');
    expect(run.stdout).toContain(
      "src/sneaky.js:1:5  error  'unused' is assigned a value but never used.  no-unused-vars",
    );
    expect(run.stdout).toContain(
      "src/sneaky.js:1:5  error  'unused' is never reassigned. Use 'const' instead. (eslint --fix can fix this)  prefer-const",
    );
    expect(run.stdout).toContain(
      'fix: fix src/sneaky.js, or let eslint fix what it can: pnpm exec eslint --fix src/sneaky.js',
    );
    // Report only: CI never writes.
    expect(git(repo, 'status', '--porcelain')).toBe('');

    const clean = await devkit(['--json', 'lint', '--since', 'HEAD'], repo);
    expect(clean.exitCode).toBe(0);
    expect((JSON.parse(clean.stdout) as LintJson).files).toEqual([]);
  });

  it('--staged checks the index version of a partially staged file, fixing nothing', async () => {
    const repo = makeRepo({ 'src/a.js': 'export const a = 1;\n' });
    writeFileSync(join(repo, 'src/a.js'), 'export const a = 1;\nconst stagedError = 2;\n');
    git(repo, 'add', 'src/a.js');
    writeFileSync(join(repo, 'src/a.js'), 'export const a = 1;\n');
    const run = await devkit(['--json', 'lint', '--staged'], repo);
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout) as LintJson;
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual(['src/a.js:2 no-unused-vars']);
    expect(git(repo, 'diff', '--cached', '--', 'src/a.js')).toContain('+const stagedError = 2;');
  });

  it('pre-push checks what is pushed since the upstream, and lets a first push of a branch through with a note', async () => {
    const origin = makeRepo();
    const repo = makeRepo();
    git(repo, 'remote', 'add', 'origin', origin);
    git(repo, 'fetch', '-q', 'origin');
    git(repo, 'checkout', '-q', '--no-track', '-b', 'topic', 'origin/main');
    writeFileSync(join(repo, 'devkit.json'), JSON.stringify({ hooks: { 'pre-push': ['lint'] } }));
    const first = await devkit(['hooks', 'run', 'pre-push'], repo);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain('pre-push: this branch has no upstream yet');
    git(repo, 'branch', '-q', '--set-upstream-to=origin/main');
    writeFileSync(join(repo, 'src/pushed.js'), 'const unused = 1;\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'to push', '--no-verify');
    const run = await devkit(['hooks', 'run', 'pre-push'], repo);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('src/pushed.js:1:7');
    expect((JSON.parse((await devkit(['--json', 'hooks', 'run', 'pre-push'], repo)).stdout) as LintJson).files).toEqual(
      ['devkit.json', 'src/pushed.js'],
    );
  });

  it('a ref that is not in the clone is exit 2 with the fetch to run', async () => {
    const repo = makeRepo();
    const run = await devkit(['lint', '--since', 'origin/nope'], repo);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error E_BAD_REF: "origin/nope" is not a commit in this clone');
    expect(run.stderr).toContain('git fetch origin nope');
    const both = await devkit(['lint', '--staged', '--since', 'HEAD'], repo);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('E_FLAG_CONFLICT');
  });

  it('the lockfile check runs when a manifest is staged, on the staged manifest: drift blocks the commit', async () => {
    // The lockfile pnpm writes for this package.json (no dependencies).
    const lockfile =
      "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .: {}\n";
    const repo = makeRepo({ 'pnpm-lock.yaml': lockfile });
    await installHooks(repo);
    writeFileSync(join(repo, 'src/x.js'), 'export const x = 1;\n');
    git(repo, 'add', 'src/x.js');
    const untouched = JSON.parse((await devkit(['--json', 'hooks', 'run', 'pre-commit'], repo)).stdout) as {
      checks: Array<{ name: string; status: string }>;
    };
    expect(untouched.checks).toEqual([
      { name: 'lint-staged', status: 'passed' },
      { name: 'lockfile', status: 'skipped', reason: 'no file it checks is changed' },
    ]);

    const manifest = (deps?: Record<string, string>) =>
      `${JSON.stringify({ name: 'hooks-fixture', private: true, type: 'module', ...(deps ? { dependencies: deps } : {}) }, null, 2)}\n`;
    writeFileSync(join(repo, 'package.json'), manifest({ 'left-pad': '1.3.0' }));
    git(repo, 'add', 'package.json');
    // The working copy goes back to matching the lockfile; the index still has the new dependency.
    writeFileSync(join(repo, 'package.json'), manifest());
    const blocked = commit(repo);
    expect(blocked.status).toBe(1);
    expect(blocked.output).toContain('left-pad');
    expect(blocked.output).toContain('pnpm install');
    expect(headSubject(repo)).toBe('hooks');

    // And the other way round: staged manifest in line, working copy drifted: the commit passes.
    writeFileSync(
      join(repo, 'package.json'),
      manifest().replace('"private"', '"description": "no new dependency",\n  "private"'),
    );
    git(repo, 'add', 'package.json');
    writeFileSync(join(repo, 'package.json'), manifest({ 'left-pad': '1.3.0' }));
    const run = await devkit(['--json', 'hooks', 'run', 'pre-commit'], repo);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(
      (JSON.parse(run.stdout) as { checks: Array<{ name: string; status: string }> }).checks.find(
        (c) => c.name === 'lockfile',
      )?.status,
    ).toBe('passed');
  });

  it('--since reports lockfile drift committed with --no-verify', async () => {
    const lockfile =
      "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .: {}\n";
    const repo = makeRepo({ 'pnpm-lock.yaml': lockfile });
    git(repo, 'branch', 'base');
    writeFileSync(
      join(repo, 'package.json'),
      JSON.stringify({
        name: 'hooks-fixture',
        private: true,
        type: 'module',
        devDependencies: { 'left-pad': '^1.3.0' },
      }),
    );
    git(repo, 'add', 'package.json');
    expect(commit(repo, ['--no-verify']).status).toBe(0);
    const run = await devkit(['--json', 'lint', '--since', 'base'], repo);
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout) as LintJson;
    expect(
      report.findings
        .filter((f) => f.code !== 'eslint')
        .map((f) => f.message)
        .join('\n'),
    ).toContain('left-pad');
  });
});
