import { describe, expect, it } from 'vitest';
import { parseStatusV2 } from './staged.js';
import { parseTask, planGroups, splitCommand } from './tasks.js';
import { toEntries } from './lint-staged-config.js';

describe('parseStatusV2', () => {
  it('keeps staged files with their blob and whether unstaged changes remain; drops unstaged-only and deletions', () => {
    const out = [
      '1 M. N... 100644 100644 100644 aaaa bbbb src/full.ts',
      '1 MM N... 100644 100644 100644 aaaa cccc src/with space.ts',
      '1 .M N... 100644 100644 100644 aaaa aaaa src/unstaged.ts',
      '1 A. N... 000000 100755 100755 0000 dddd bin/run',
      '1 D. N... 100644 000000 000000 eeee 0000 gone.ts',
      'u UU N... 100644 100644 100644 100644 1111 2222 3333 conflict.ts',
      '',
    ].join('\0');
    expect(parseStatusV2(out)).toEqual({
      staged: [
        { path: 'src/full.ts', status: 'M', mode: '100644', oid: 'bbbb', partial: false },
        { path: 'src/with space.ts', status: 'M', mode: '100644', oid: 'cccc', partial: true },
        { path: 'bin/run', status: 'A', mode: '100755', oid: 'dddd', partial: false },
      ],
      deleted: ['gone.ts'],
      unmerged: ['conflict.ts'],
    });
  });
});

describe('parseTask', () => {
  it('runs eslint and prettier in-process only with flags it emulates', () => {
    expect(parseTask('eslint --fix')).toMatchObject({ kind: 'eslint', fix: true, maxWarnings: undefined });
    expect(parseTask('pnpm exec eslint --max-warnings=0 --cache')).toMatchObject({
      kind: 'eslint',
      fix: false,
      maxWarnings: 0,
    });
    expect(parseTask('npx eslint --max-warnings 3 --fix')).toMatchObject({ kind: 'eslint', fix: true, maxWarnings: 3 });
    expect(parseTask('prettier --write --ignore-unknown')).toMatchObject({
      kind: 'prettier',
      write: true,
      ignoreUnknown: true,
    });
    expect(parseTask('eslint --fix --rule "semi: off"')).toMatchObject({
      kind: 'exec',
      argv: ['eslint', '--fix', '--rule', 'semi: off'],
    });
    expect(parseTask('tsc --noEmit')).toMatchObject({ kind: 'exec', argv: ['tsc', '--noEmit'], appendFiles: true });
    expect(parseTask('eslint --fix a.ts', false)).toMatchObject({ kind: 'exec', appendFiles: false });
  });

  it('splits words like a shell for quotes and escapes', () => {
    expect(splitCommand(`a 'b c' "d \\"e\\"" f\\ g ''`)).toEqual(['a', 'b c', 'd "e"', 'f g', '']);
  });
});

describe('planGroups (lint-staged glob semantics)', () => {
  it('a glob without a slash matches file names anywhere; with a slash the whole path; dot files too', () => {
    const entries = toEntries('package.json', {
      '*.ts': 'eslint',
      'src/*.js': ['prettier --write'],
      '.*rc': 'x',
      '*.md': 'y',
    });
    const groups = planGroups(entries, ['a.ts', 'deep/b.ts', 'src/c.js', 'src/deep/d.js', 'e/.eslintrc']);
    expect(groups.map((g) => [g.glob, g.files])).toEqual([
      ['*.ts', ['a.ts', 'deep/b.ts']],
      ['src/*.js', ['src/c.js']],
      ['.*rc', ['e/.eslintrc']],
    ]);
  });

  it('rejects a task that is not a command, naming the file and key', () => {
    expect(() => toEntries('.lintstagedrc.json', { '*.ts': [42] })).toThrow(
      '.lintstagedrc.json key "*.ts": expected a list of commands and functions, found 42',
    );
  });
});
