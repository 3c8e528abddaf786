import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, gitInit, tempDir, writeFiles } from '@devkit/test-utils';
import { readGitState } from './build-facts.js';
import { gitVisibleFiles } from './member-files.js';

afterAll(cleanupTempDirs);

describe("devkit's own folders", () => {
  it('never make the tree dirty nor count as files, listed in .gitignore or not', async () => {
    const root = tempDir();
    writeFiles(root, { 'package.json': { name: 'x' }, 'apps/api/package.json': { name: 'api' } });
    gitInit(root);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'x');
    writeFiles(root, {
      '.devkit/store/index.json': '{}',
      '.devkit/services/redis-7/dump.rdb': 'x',
      '.turbo/cache/abc.tar.zst': 'x',
      'apps/api/.turbo/turbo-build.log': 'x',
      'apps/api/.devkit/x': 'x',
      '.env.devkit': 'REDIS_URL=redis://127.0.0.1:1\n',
      'artifacts/store/index.json': '{}',
    });
    expect(await readGitState(root, { exclude: ['artifacts/store'] })).toMatchObject({ dirty: false, changes: [] });
    expect(await gitVisibleFiles(root, 'apps/api')).toEqual(['apps/api/package.json']);
    expect((await gitVisibleFiles(root, '.')).filter((f) => !f.startsWith('artifacts/'))).toEqual([
      'apps/api/package.json',
      'package.json',
    ]);

    // What is not devkit's still counts: a file beside them, the rest of a configured store's parent.
    writeFiles(root, { 'apps/api/.turbox': 'x', 'artifacts/notes.txt': 'x' });
    const state = await readGitState(root, { exclude: ['artifacts/store'] });
    expect(state.changes.sort()).toEqual(['apps/api/.turbox', 'artifacts/']);
  });
});
