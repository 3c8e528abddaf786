import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLockfile } from './check-lockfile.js';
import { inspectRepo } from './inspect-repo.js';
import { listedManifests } from './repo-files.js';

const LOCKFILE = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .: {}

  apps/api:
    dependencies:
      ms:
        specifier: ^2.1.3
        version: 2.1.3

packages:

  ms@2.1.3:
    resolution: {integrity: sha512-MMMM}

snapshots:

  ms@2.1.3: {}
`;

const root = mkdtempSync(join(tmpdir(), 'devkit-lockfile-index-'));
const write = (files: Record<string, string>) => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
};
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

/** Reads the git index (the staged content), as a pre-commit hook does. */
const readIndex = async (path: string): Promise<string | undefined> => {
  try {
    return execFileSync('git', ['show', `:${path}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
};

describe('inspectRepo through a file-reader port', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('checks what is staged, not what is in the working tree', async () => {
    git('init', '-q');
    write({
      'package.json': '{"name":"repo","private":true}',
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
      'apps/api/package.json': '{"name":"api","dependencies":{"ms":"^2.1.3"}}',
      'pnpm-lock.yaml': LOCKFILE,
    });
    git('add', '-A');
    // unstaged edits: a drifted manifest and a new project the index does not have
    write({
      'apps/api/package.json': '{"name":"api","dependencies":{"ms":"^2.0.0"}}',
      'apps/web/package.json': '{"name":"web","dependencies":{"kleur":"^4.1.5"}}',
    });

    const staged = await inspectRepo({
      root,
      readFile: readIndex,
      findManifests: listedManifests(git('ls-files').trim().split('\n')),
    });
    expect(staged.projects.map((p) => p.id)).toEqual(['.', 'apps/api']);
    expect(checkLockfile(staged)).toEqual([]);

    const tree = await inspectRepo({ root });
    expect(checkLockfile(tree).map((f) => `${f.code} ${f.importer}`)).toEqual([
      'SPECIFIER_CHANGED apps/api',
      'DEPENDENCY_ADDED apps/web',
    ]);

    // once staged, the hook sees the drift too
    git('add', 'apps/api/package.json');
    const restaged = await inspectRepo({
      root,
      readFile: readIndex,
      findManifests: listedManifests(git('ls-files').trim().split('\n')),
    });
    expect(checkLockfile(restaged).map((f) => f.code)).toEqual(['SPECIFIER_CHANGED']);
  });
});
