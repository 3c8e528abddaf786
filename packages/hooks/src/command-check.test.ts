import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import type { CheckContext } from './checks.js';
import { commandCheck, commandFiles, commandLines } from './command-check.js';

afterAll(cleanupTempDirs);

function context(root: string, files: string[], partiallyStaged: string[] = []): CheckContext {
  return {
    root,
    files,
    reader: { readFile: async () => undefined },
    listFiles: async () => undefined,
    scope: { kind: 'staged' },
    partiallyStaged,
  };
}

describe('command entries', () => {
  it('substitutes {files} / {staged_files} with the matching files, shell-quoted; without it runs the command as is', () => {
    const entry = { run: 'prettier --check {staged_files} && echo {files}', glob: ['*.md', 'docs/**'] };
    const files = commandFiles(entry, ['a.md', 'src/b.md', 'docs/x y.txt', 'c.ts']);
    expect(files).toEqual(['a.md', 'src/b.md', 'docs/x y.txt']);
    expect(commandLines(entry, files)).toEqual([
      "prettier --check a.md src/b.md 'docs/x y.txt' && echo a.md src/b.md 'docs/x y.txt'",
    ]);
    expect(commandLines({ run: 'pnpm typecheck' }, files)).toEqual(['pnpm typecheck']);
    expect(commandFiles({ run: 'x' }, ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('applies only when a file matches its glob, or always without one', () => {
    expect(commandCheck({ run: 'tsc', glob: '*.ts' }, { env: process.env }).appliesTo(['a.js'])).toBe(false);
    expect(commandCheck({ run: 'tsc', glob: '*.ts' }, { env: process.env }).appliesTo(['src/a.ts'])).toBe(true);
    expect(commandCheck({ run: 'tsc' }, { env: process.env }).appliesTo([])).toBe(true);
    expect(commandCheck({ run: 'echo {files}' }, { env: process.env }).appliesTo([])).toBe(false);
  });

  it('runs through sh in the root with the hook arguments as $1; a non-zero exit is a finding with the output', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'msg'), 'wip: not a conventional subject\n');
    const check = commandCheck(
      { run: 'grep -q "^feat" "$1" || { echo "subject must start with feat: $(cat "$1")"; exit 3; }', name: 'subject' },
      { env: process.env, hookArgs: ['msg'] },
    );
    const findings = await check.run(context(root, []));
    expect(findings).toEqual([
      expect.objectContaining({
        check: 'subject',
        code: 'command-failed',
        severity: 'error',
        message: expect.stringContaining(
          'exited with code 3:\nsubject must start with feat: wip: not a conventional subject',
        ),
      }),
    ]);
    writeFileSync(join(root, 'msg'), 'feat: a subject\n');
    expect(await check.run(context(root, []))).toEqual([]);
  });

  it('refuses a partially staged file it would be given (it would see the unstaged part)', async () => {
    const root = tempDir();
    const check = commandCheck({ run: 'true {files}', glob: '*.txt' }, { env: process.env });
    const findings = await check.run(context(root, ['a.txt', 'b.txt'], ['b.txt']));
    expect(findings.map((f) => [f.code, f.file])).toEqual([['partially-staged', 'b.txt']]);
  });
});
