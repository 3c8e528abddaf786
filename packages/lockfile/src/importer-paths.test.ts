import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockfileImporterPaths } from './importer-paths.js';
import { parseLockfile } from './parse-lockfile.js';

const REPO = join(import.meta.dirname, '../../..');

describe('lockfileImporterPaths', () => {
  it('lists importer folders of a v9 lockfile, quoted ones unquoted', () => {
    const lockfile =
      "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    devDependencies:\n      turbo:\n        specifier: 2.11.11\n\n  apps/api:\n    dependencies:\n      ms:\n        specifier: 2.1.3\n\n  'packages/@scope x':\n    {}\n\n  packages/empty: {}\n\npackages:\n\n  ms@2.1.3:\n    resolution: {integrity: sha512-x}\n";
    expect(lockfileImporterPaths(lockfile)).toEqual(['.', 'apps/api', 'packages/@scope x', 'packages/empty']);
    expect(lockfileImporterPaths(lockfile)).toEqual(Object.keys(parseLockfile(lockfile).importers));
  });

  it('agrees with the full reader on real lockfiles', () => {
    for (const file of ['pnpm-lock.yaml', 'test/fixtures/acme/pnpm-lock.yaml']) {
      const text = readFileSync(join(REPO, file), 'utf8');
      expect(lockfileImporterPaths(text), file).toEqual(Object.keys(parseLockfile(text).importers));
    }
  });

  it('gives the root alone when there is no importers section', () => {
    expect(lockfileImporterPaths("lockfileVersion: '9.0'\n\npackages: {}\n")).toEqual(['.']);
  });
});
