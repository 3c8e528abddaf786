import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, gitInit, tempDir } from '@devkit/test-utils';
import { ignoreOwnFolder, readState, writeState } from './state.js';

afterAll(cleanupTempDirs);

const untracked = (dir: string) =>
  execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

describe('.devkit/ ignores itself', () => {
  it('writeState leaves nothing of .devkit/ for git status or git add -A, with no .gitignore in the repo', async () => {
    const dir = tempDir();
    gitInit(dir);
    writeFileSync(join(dir, 'app.js'), 'export {};\n');
    await writeState(dir, { version: 1, steps: { deps: { fingerprint: 'x', completedAt: 'now' } } });
    mkdirSync(join(dir, '.devkit/services/postgres'), { recursive: true });
    writeFileSync(join(dir, '.devkit/services/postgres/PG_VERSION'), '15\n');
    expect(untracked(dir)).toEqual(['?? app.js']);
    expect((await readState(dir)).steps.deps?.fingerprint).toBe('x');
  });

  it('writes nothing where devkit has not written, and keeps a .gitignore already there', async () => {
    const dir = tempDir();
    await ignoreOwnFolder(dir);
    expect(existsSync(join(dir, '.devkit'))).toBe(false);
    mkdirSync(join(dir, '.devkit'));
    writeFileSync(join(dir, '.devkit/.gitignore'), 'store/\n');
    await ignoreOwnFolder(dir);
    expect(readFileSync(join(dir, '.devkit/.gitignore'), 'utf8')).toBe('store/\n');
  });
});
