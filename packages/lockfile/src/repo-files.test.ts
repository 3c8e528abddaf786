import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { glob } from 'tinyglobby';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IGNORED_PROJECT_DIRS,
  listedManifests,
  manifestGlobs,
  workingTreeManifests,
  workingTreeReader,
} from './repo-files.js';

const root = mkdtempSync(join(tmpdir(), 'devkit-lockfile-files-'));
const FILES = [
  'package.json',
  'apps/api/package.json',
  'apps/web/package.json',
  'apps/.hidden/package.json',
  'apps/node_modules/package.json',
  'apps/readme.md',
  'apps/docs/README.md',
  'packages/a/package.json',
  'packages/b/package.yaml',
  'packages/group/nested/package.json',
  'packages/a/node_modules/dep/package.json',
  'tools/cli/package.json',
];
for (const file of FILES) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), '{}');
}
symlinkSync(join(root, 'tools/cli'), join(root, 'apps/linked'));

/** What pnpm itself finds: tinyglobby over the manifest globs, node_modules ignored. */
async function pnpmFinds(patterns: string[]): Promise<string[]> {
  const paths = await glob([...manifestGlobs(patterns), './package.{json,yaml,json5}'], {
    cwd: root,
    ignore: IGNORED_PROJECT_DIRS,
    expandDirectories: false,
  });
  return paths.map((p) => p.replace(/^\.\//, '')).sort();
}

describe('workspace project discovery', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const patternSets = [
    ['apps/*', 'packages/*'],
    ['apps/*', 'tools/cli'],
    ['packages/**'],
    ['apps/*', '!apps/web'],
    ['.'],
    ['./apps/*'],
    ['apps/{api,web}'],
  ];

  it('finds the same projects as pnpm, on the fast path and the glob path alike', async () => {
    for (const patterns of patternSets) {
      const expected = await pnpmFinds(patterns);
      expect([patterns, (await workingTreeManifests(root)(patterns)).sort()]).toEqual([patterns, expected]);
    }
  });

  it('selects the same projects from a list of paths (the git index)', async () => {
    const listed = [...FILES, 'apps/linked/package.json'];
    for (const patterns of patternSets) {
      const expected = await pnpmFinds(patterns);
      expect([patterns, (await listedManifests(listed)(patterns)).sort()]).toEqual([patterns, expected]);
    }
  });

  it('reads files of the working tree, undefined when absent', async () => {
    const read = workingTreeReader(root);
    expect(await read('apps/api/package.json')).toBe('{}');
    expect(await read('apps/missing/package.json')).toBeUndefined();
    expect(await read('apps/readme.md/package.json')).toBeUndefined();
  });
});
