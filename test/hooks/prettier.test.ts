import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git } from '@devkit/test-utils';
import { commit, committed, devkit, installHooks, makeRepo } from './repo.js';

afterAll(cleanupTempDirs);

describe('Prettier, in-process, when the repo has it', () => {
  it('without a lint-staged config: prettier --write then eslint --fix on the staged text; partially staged files formatted in the index only', async () => {
    const repo = makeRepo({ '.prettierrc.json': { singleQuote: true }, 'src/part.js': "export const one = 'one';\n" });
    await installHooks(repo);
    writeFileSync(join(repo, 'src/ugly.js'), 'export const  x = {a:1,   b:"two"}\n');
    writeFileSync(join(repo, 'README.md'), '#  Title\n\n* item\n');
    // part.js: badly formatted staged line, plus an unstaged line.
    writeFileSync(join(repo, 'src/part.js'), 'export const one = \'one\';\nexport const two   =   "two"\n');
    git(repo, 'add', 'src/ugly.js', 'README.md', 'src/part.js');
    writeFileSync(
      join(repo, 'src/part.js'),
      'export const one = \'one\';\nexport const two   =   "two"\nexport const unstaged    = 3\n',
    );

    const run = commit(repo);
    expect(run.status, run.output).toBe(0);
    expect(committed(repo, 'src/ugly.js')).toBe("export const x = { a: 1, b: 'two' };\n");
    expect(committed(repo, 'README.md')).toBe('# Title\n\n- item\n');
    expect(committed(repo, 'src/part.js')).toBe("export const one = 'one';\nexport const two = 'two';\n");
    expect(readFileSync(join(repo, 'src/part.js'), 'utf8')).toBe(
      'export const one = \'one\';\nexport const two   =   "two"\nexport const unstaged    = 3\n',
    );
  });

  it('prettier --check in a lint-staged config reports an unformatted file without writing it', async () => {
    const repo = makeRepo({
      '.prettierrc.json': {},
      'package.json': {
        name: 'hooks-fixture',
        private: true,
        type: 'module',
        'lint-staged': { '*.{js,md}': 'prettier --check' },
      },
    });
    writeFileSync(join(repo, 'src/ugly.js'), 'export const  x = 1\n');
    git(repo, 'add', 'src/ugly.js');
    const run = await devkit(['hooks', 'run', 'pre-commit'], repo);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('src/ugly.js  error  not formatted as prettier would');
    expect(run.stdout).toContain('fix: pnpm exec prettier --write src/ugly.js');
    expect(readFileSync(join(repo, 'src/ugly.js'), 'utf8')).toBe('export const  x = 1\n');
  });
});
