import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, tempDir } from '@devkit/test-utils';
import { commit, devkit, headSubject, installHooks, makeRepo } from './repo.js';

afterAll(cleanupTempDirs);

const BAD = 'const unused = 1;\n';

describe('devkit hooks install', () => {
  it('in a fresh clone: the committed .husky hook runs devkit once installed, and blocks a lint error', async () => {
    const origin = makeRepo();
    await installHooks(origin);
    expect(readFileSync(join(origin, '.husky/pre-commit'), 'utf8')).toContain('devkit hooks run pre-commit');

    const clone = join(tempDir('devkit-clone-'), 'clone');
    git(origin, 'clone', '-q', origin, clone);
    git(clone, 'config', 'user.email', 'test@devkit.invalid');
    git(clone, 'config', 'user.name', 'devkit test');
    // A clone has the hook files but git does not run them until the hooks path is set.
    const doctor = await devkit(['--json', 'doctor'], clone);
    expect(doctor.stdout).toContain('W_HOOKS_NOT_INSTALLED');
    await installHooks(clone, { commit: false });
    expect(git(clone, 'config', 'core.hooksPath').trim()).toBe('.husky/_');
    // node_modules is not cloned: link the real one, as pnpm install would provide it.
    symlinkSync(join(origin, 'node_modules'), join(clone, 'node_modules'));

    writeFileSync(join(clone, 'src/bad.js'), BAD);
    git(clone, 'add', 'src/bad.js');
    const blocked = commit(clone);
    expect(blocked.status).toBe(1);
    expect(blocked.output).toContain(
      "src/bad.js:1:7  error  'unused' is assigned a value but never used.  no-unused-vars",
    );
    expect(headSubject(clone)).toBe('hooks');
  });

  it('in a linked worktree: reports the hooks missing there, installs them, and they run', async () => {
    const repo = makeRepo();
    await installHooks(repo);
    const wt = join(tempDir('devkit-wt-'), 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', wt);
    symlinkSync(join(repo, 'node_modules'), join(wt, 'node_modules'));
    // core.hooksPath is shared, but .husky/_ is git-ignored and per work tree: not there yet.
    const doctor = await devkit(['--json', 'doctor'], wt);
    expect(doctor.stdout).toContain('.husky/_/h is missing');
    await installHooks(wt, { commit: false });
    expect(existsSync(join(wt, '.husky/_/h'))).toBe(true);

    writeFileSync(join(wt, 'src/bad.js'), BAD);
    git(wt, 'add', 'src/bad.js');
    const blocked = commit(wt);
    expect(blocked.status).toBe(1);
    expect(blocked.output).toContain('src/bad.js:1:7');
    expect(headSubject(wt)).toBe('hooks');
  });

  it('a hooks path set by another tool is reported with where it is set, and left alone', async () => {
    const repo = makeRepo();
    git(repo, 'config', 'core.hooksPath', '.githooks');
    const run = await devkit(['hooks', 'install'], repo);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      `error E_HOOKS_PATH_TAKEN: git's core.hooksPath is ".githooks" (set in local config .git/config)`,
    );
    expect(run.stderr).toContain('git config --unset core.hooksPath && devkit hooks install');
    expect(git(repo, 'config', 'core.hooksPath').trim()).toBe('.githooks');
    expect(existsSync(join(repo, '.husky'))).toBe(false);
  });

  it('HUSKY=0: install says the hooks are disabled; commits then bypass them', async () => {
    const repo = makeRepo();
    const run = await devkit(['hooks', 'install'], repo, { HUSKY: '0' });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('HUSKY=0 is set: the hooks are installed but git will not run them until it is unset');
    const doctor = await devkit(['--json', 'doctor'], repo, { HUSKY: '0' });
    expect(doctor.stdout).toContain('W_HOOKS_DISABLED');

    writeFileSync(join(repo, 'src/bad.js'), BAD);
    git(repo, 'add', 'src/bad.js');
    expect(commit(repo, [], { HUSKY: '0' }).status).toBe(0);
    expect(headSubject(repo)).toBe('change');
  });
});
