import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git } from '@devkit/test-utils';
import { commit, committed, devkit, fingerprint, headSubject, installHooks, makeRepo } from './repo.js';

afterAll(cleanupTempDirs);

describe('devkit hooks run pre-commit, through a real git commit', () => {
  it('blocks an eslint error with file:line:col, rule and the way out; exit 1; nothing changes', async () => {
    const repo = makeRepo();
    await installHooks(repo);
    writeFileSync(join(repo, 'src/bad.js'), 'let fixable = 1\nconst unused = fixable;\n');
    git(repo, 'add', 'src/bad.js');
    const direct = await devkit(['hooks', 'run', 'pre-commit'], repo);
    expect(direct.exitCode).toBe(1);
    expect(direct.stdout).toContain('✗ pre-commit: 1 problem in 1 staged file');
    expect(direct.stdout).toContain(
      "src/bad.js:2:7  error  'unused' is assigned a value but never used.  no-unused-vars",
    );
    expect(direct.stdout).toContain('fix: fix src/bad.js, then `git add src/bad.js` and commit again');
    const viaGit = commit(repo);
    expect(viaGit.status).toBe(1);
    expect(viaGit.output).toContain('src/bad.js:2:7');
    expect(headSubject(repo)).toBe('hooks');
    // Blocked: the fixable problems (prefer-const, semi) are not written either.
    expect(readFileSync(join(repo, 'src/bad.js'), 'utf8')).toBe('let fixable = 1\nconst unused = fixable;\n');
    expect(git(repo, 'diff', '--cached', '--name-only').trim()).toBe('src/bad.js');
  });

  it('fixes what eslint --fix can and commits the fixed content, re-staged', async () => {
    const repo = makeRepo();
    await installHooks(repo);
    writeFileSync(join(repo, 'src/fix.js'), 'let a = 1\nexport { a }\n');
    git(repo, 'add', 'src/fix.js');
    const run = commit(repo);
    expect(run.status, run.output).toBe(0);
    expect(committed(repo, 'src/fix.js')).toBe('const a = 1;\nexport { a };\n');
    expect(readFileSync(join(repo, 'src/fix.js'), 'utf8')).toBe('const a = 1;\nexport { a };\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('a partially staged file: checked and fixed as staged, its unstaged hunk kept in the working copy', async () => {
    const repo = makeRepo({ 'src/part.js': 'export const one = 1;\n\n\n\n\n\nexport const two = 2;\n' });
    await installHooks(repo);
    // Staged: a fixable line at the top. Unstaged: a line at the bottom with an unfixable error
    // (so a run on the working copy instead of the index would block).
    const staged = 'let top = 0\nexport const one = top + 1;\n\n\n\n\n\nexport const two = 2;\n';
    const working = 'let top = 0\nexport const one = top + 1;\n\n\n\n\n\nexport const two = 2;\nconst notStaged = 3;\n';
    writeFileSync(join(repo, 'src/part.js'), staged);
    git(repo, 'add', 'src/part.js');
    writeFileSync(join(repo, 'src/part.js'), working);

    const run = commit(repo);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('fixed in the staged version only');
    expect(committed(repo, 'src/part.js')).toBe(
      'const top = 0;\nexport const one = top + 1;\n\n\n\n\n\nexport const two = 2;\n',
    );
    expect(readFileSync(join(repo, 'src/part.js'), 'utf8')).toBe(working);
    expect(git(repo, 'diff', '--', 'src/part.js')).toContain('+const notStaged = 3;');
  });

  it('git commit -a and git commit <paths> check and fix what they commit (their own index)', async () => {
    const repo = makeRepo({ 'src/a.js': 'export const a = 1;\n', 'src/b.js': 'export const b = 1;\n' });
    await installHooks(repo);
    writeFileSync(join(repo, 'src/a.js'), 'let a = 2\nexport { a }\n');
    const all = commit(repo, ['-a']);
    expect(all.status, all.output).toBe(0);
    expect(committed(repo, 'src/a.js')).toBe('const a = 2;\nexport { a };\n');

    writeFileSync(join(repo, 'src/a.js'), 'let a = 3\nexport { a }\n');
    writeFileSync(join(repo, 'src/b.js'), 'const unused = 1;\n');
    const only = commit(repo, ['--', 'src/a.js']);
    expect(only.status, only.output).toBe(0);
    expect(committed(repo, 'src/a.js')).toBe('const a = 3;\nexport { a };\n');
    expect(only.output).toContain(
      'src/a.js  warning  fixed in this commit, but `git commit <paths>` will leave the unfixed version staged',
    );
    expect(only.output).toContain('fix: after the commit: git add src/a.js');
    expect(readFileSync(join(repo, 'src/b.js'), 'utf8')).toBe('const unused = 1;\n');
  });

  it('never touches an unrelated file with unstaged edits, nor an untracked one, whether the commit passes or is blocked', async () => {
    const repo = makeRepo({ 'src/other.js': 'export const other = 1;\n' });
    await installHooks(repo);
    writeFileSync(join(repo, 'src/other.js'), 'export const other = 2; // unstaged work in progress\n');
    writeFileSync(join(repo, 'src/new.js'), 'let untracked = 1\n');
    const before = { other: fingerprint(join(repo, 'src/other.js')), untracked: fingerprint(join(repo, 'src/new.js')) };

    writeFileSync(join(repo, 'src/bad.js'), 'let x = 1\nconst y = x;\n');
    git(repo, 'add', 'src/bad.js');
    expect(commit(repo).status).toBe(1);
    writeFileSync(join(repo, 'src/bad.js'), 'let x = 1\nexport const y = x\n');
    git(repo, 'add', 'src/bad.js');
    const passed = commit(repo);
    expect(passed.status, passed.output).toBe(0);
    expect(committed(repo, 'src/bad.js')).toBe('const x = 1;\nexport const y = x;\n');

    expect(fingerprint(join(repo, 'src/other.js'))).toEqual(before.other);
    expect(fingerprint(join(repo, 'src/new.js'))).toEqual(before.untracked);
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).sort()).toEqual([
      ' M src/other.js',
      '?? src/new.js',
    ]);
  });

  it('runs nothing on unstaged files: an unstaged lint error does not block', async () => {
    const repo = makeRepo({ 'src/other.js': 'export const other = 1;\n' });
    await installHooks(repo);
    writeFileSync(join(repo, 'src/other.js'), 'const broken = 1;\n');
    writeFileSync(join(repo, 'src/ok.js'), 'export const ok = 1;\n');
    git(repo, 'add', 'src/ok.js');
    const run = await devkit(['--json', 'hooks', 'run', 'pre-commit'], repo);
    expect(run.exitCode, run.stdout).toBe(0);
    expect((JSON.parse(run.stdout) as { files: string[] }).files).toEqual(['src/ok.js']);
  });

  it('honours a lint-staged config: globs, eslint flags in-process, other commands run as programs', async () => {
    const repo = makeRepo({
      'package.json': {
        name: 'hooks-fixture',
        private: true,
        type: 'module',
        'lint-staged': { 'src/**/*.js': 'eslint --max-warnings=0', '*.txt': 'node check-txt.mjs' },
      },
      'check-txt.mjs':
        "import { readFileSync } from 'node:fs';\nfor (const f of process.argv.slice(2)) if (readFileSync(f, 'utf8').includes('TODO')) { console.error(`${f}: TODO left`); process.exitCode = 1; }\n",
    });
    await installHooks(repo);
    writeFileSync(join(repo, 'src/fixable.js'), 'let a = 1\nexport { a }\n');
    writeFileSync(join(repo, 'notes.txt'), 'TODO: write notes\n');
    git(repo, 'add', 'src/fixable.js', 'notes.txt');
    const run = await devkit(['--json', 'hooks', 'run', 'pre-commit'], repo);
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout) as {
      lintStagedConfig: string;
      findings: Array<{ code: string; file?: string; rule?: string; message: string }>;
    };
    expect(report.lintStagedConfig).toBe('package.json');
    // No --fix in that config: the fixable problems are reported, not fixed.
    expect(
      report.findings
        .filter((f) => f.code === 'eslint')
        .map((f) => f.rule)
        .sort(),
    ).toEqual(['prefer-const', 'semi', 'semi']);
    const failed = report.findings.find((f) => f.code === 'command-failed');
    expect(failed?.message).toContain('`node check-txt.mjs` exited with code 1');
    expect(failed?.message).toContain('notes.txt: TODO left');
    expect(readFileSync(join(repo, 'src/fixable.js'), 'utf8')).toBe('let a = 1\nexport { a }\n');
  });

  it('refuses to run a command on a partially staged file (it would see the unstaged part), saying how to proceed', async () => {
    const repo = makeRepo({
      'package.json': {
        name: 'hooks-fixture',
        private: true,
        type: 'module',
        'lint-staged': { '*.txt': 'node check-txt.mjs' },
      },
      'check-txt.mjs': 'process.exitCode = 0;\n',
      'notes.txt': 'one\n',
    });
    writeFileSync(join(repo, 'notes.txt'), 'one\ntwo\n');
    git(repo, 'add', 'notes.txt');
    writeFileSync(join(repo, 'notes.txt'), 'one\ntwo\nthree (not staged)\n');
    const run = await devkit(['hooks', 'run', 'pre-commit'], repo);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      'notes.txt  error  `node check-txt.mjs` works on files in the working tree, and notes.txt has changes that are not staged',
    );
    expect(run.stdout).toContain(
      'fix: stage the whole file (git add notes.txt) or set the unstaged part aside, then commit again',
    );
    expect(readFileSync(join(repo, 'notes.txt'), 'utf8')).toBe('one\ntwo\nthree (not staged)\n');
  });
});
