import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { setupInputs } from './setup.js';

afterAll(cleanupTempDirs);

describe('setupInputs', () => {
  const root = tempDir();
  writeFiles(root, {
    'db/schema.sql': 'create table t();',
    'db/migrations/001.sql': 'a',
    'db/migrations/002.sql': 'b',
    'scripts/seed.mjs': '',
    'node_modules/x/db/migrations/003.sql': 'ignored',
  });

  it('are the files the commands name, when no inputs are declared', async () => {
    expect(
      await setupInputs(
        root,
        ['psql "$DATABASE_URL" -f db/schema.sql', 'node scripts/seed.mjs --fast', 'echo not-a-file'],
        undefined,
      ),
    ).toEqual(['db/schema.sql', 'scripts/seed.mjs']);
  });

  it('are the declared globs, sorted, outside node_modules', async () => {
    expect(await setupInputs(root, ['pnpm migrate'], ['db/migrations/*.sql', '**/003.sql'])).toEqual([
      'db/migrations/001.sql',
      'db/migrations/002.sql',
    ]);
  });
});
