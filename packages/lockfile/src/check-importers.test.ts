import { describe, expect, it } from 'vitest';
import { checkImporter } from './check-importers.js';
import { refToRelative, removeSuffix } from './dep-path.js';
import type { LockfileImporter, ProjectManifest } from './types.js';

const project = (manifest: ProjectManifest) => ({ id: 'apps/api', manifestFile: 'apps/api/package.json', manifest });
const defaults = { autoInstallPeers: true, excludeLinksFromLockfile: false };
const importer: LockfileImporter = {
  specifiers: { debug: '^4.3.4', 'is-number': '^7.0.0', react: '^18.0.0', shared: 'workspace:*' },
  dependencies: { debug: '4.4.3', react: '18.3.1', shared: 'link:../../packages/shared' },
  devDependencies: { 'is-number': '7.0.0' },
};
const manifest: ProjectManifest = {
  dependencies: { debug: '^4.3.4', shared: 'workspace:*' },
  devDependencies: { 'is-number': '^7.0.0' },
  peerDependencies: { react: '^18.0.0' },
};
const check = (m: ProjectManifest, i: LockfileImporter | undefined = importer, o = defaults) =>
  checkImporter(project(m), m, i, o);
const codes = (m: ProjectManifest, i?: LockfileImporter, o = defaults) =>
  check(m, i, o).map((f) => `${f.code}:${f.dependency ?? f.field}`);

describe('checkImporter', () => {
  it('accepts a project that matches its importer (peers installed by autoInstallPeers)', () => {
    expect(check(manifest)).toEqual([]);
  });

  it('lists every difference, not just the first', () => {
    const changed = { ...manifest, dependencies: { debug: '^4.0.0', kleur: '^4.1.5' }, devDependencies: {} };
    expect(codes(changed)).toEqual([
      'SPECIFIER_CHANGED:debug',
      'DEPENDENCY_REMOVED:is-number',
      'DEPENDENCY_REMOVED:shared',
      'DEPENDENCY_ADDED:kleur',
    ]);
    const finding = check(changed)[0]!;
    expect(finding).toMatchObject({
      importer: 'apps/api',
      manifest: '^4.0.0',
      lockfile: '^4.3.4',
      file: 'apps/api/package.json',
      fix: 'pnpm install',
      kind: 'drift',
    });
  });

  it('sees a dependency that moved between fields', () => {
    const moved = {
      ...manifest,
      dependencies: { shared: 'workspace:*' },
      devDependencies: { 'is-number': '^7.0.0', debug: '^4.3.4' },
    };
    expect(codes(moved)).toEqual(['DEPENDENCY_TYPE_CHANGED:debug']);
  });

  it('accepts a dependency repeated in devDependencies (pnpm keeps it in dependencies)', () => {
    expect(check({ ...manifest, devDependencies: { 'is-number': '^7.0.0', debug: '^4.3.4' } })).toEqual([]);
  });

  it('treats peers as dependencies only with autoInstallPeers', () => {
    expect(codes(manifest, importer, { ...defaults, autoInstallPeers: false })).toEqual(['DEPENDENCY_REMOVED:react']);
  });

  it('finds a locked version outside its range', () => {
    expect(codes(manifest, { ...importer, dependencies: { ...importer.dependencies, debug: '3.2.7' } })).toEqual([
      'VERSION_OUT_OF_RANGE:debug',
    ]);
    expect(
      check(manifest, {
        ...importer,
        dependencies: { ...importer.dependencies, debug: '4.4.3(supports-color@8.1.1)' },
      }),
    ).toEqual([]);
  });

  it('compares publishConfig.directory and dependenciesMeta', () => {
    expect(codes({ ...manifest, publishConfig: { directory: 'dist' } })).toEqual([
      'PUBLISH_DIRECTORY_CHANGED:publishConfig.directory',
    ]);
    expect(codes({ ...manifest, dependenciesMeta: { shared: { injected: true } } })).toEqual([
      'DEPENDENCIES_META_CHANGED:dependenciesMeta',
    ]);
  });

  it('treats a project missing from the lockfile as an importer without dependencies', () => {
    const empty = { name: 'empty' };
    expect(checkImporter(project(empty), empty, undefined, defaults)).toEqual([]);
    const withDeps = { dependencies: { ms: '^2.1.3' } };
    expect(checkImporter(project(withDeps), withDeps, undefined, defaults).map((f) => f.code)).toEqual([
      'DEPENDENCY_ADDED',
    ]);
  });

  it('ignores link: dependencies with excludeLinksFromLockfile', () => {
    const withLink = { ...manifest, dependencies: { ...manifest.dependencies, local: 'link:../local' } };
    expect(codes(withLink)).toEqual(['DEPENDENCY_ADDED:local']);
    expect(check(withLink, importer, { ...defaults, excludeLinksFromLockfile: true })).toEqual([]);
  });

  it('strips peer and patch suffixes', () => {
    expect(removeSuffix('1.2.0(react@18.3.1)(react-dom@18.3.1)')).toBe('1.2.0');
    expect(removeSuffix('3.1.0(patch_hash=abc)')).toBe('3.1.0');
    expect(removeSuffix('link:../x')).toBe('link:../x');
    expect(removeSuffix('a@1.0.0(b@2.0.0(c@3.0.0))(d@1.0.0)')).toBe('a@1.0.0');
    expect(removeSuffix('a@1.0.0(patch_hash=abc)(react@18.3.1)')).toBe('a@1.0.0');
  });

  it('resolves references to dependency paths as pnpm does', () => {
    expect(refToRelative('4.4.3', 'debug')).toBe('debug@4.4.3');
    expect(refToRelative('1.2.0(react@18.3.1)', 'use-sync-external-store')).toBe(
      'use-sync-external-store@1.2.0(react@18.3.1)',
    );
    expect(refToRelative('ms@2.1.3', 'my-ms')).toBe('ms@2.1.3');
    expect(refToRelative('@babel/core@7.0.0', 'core')).toBe('@babel/core@7.0.0');
    expect(refToRelative('link:../shared', 'shared')).toBeNull();
    expect(refToRelative('file:../x.tgz', 'x')).toBe('x@file:../x.tgz');
    expect(refToRelative('https://host/x.tgz', 'x')).toBe('x@https://host/x.tgz');
  });
});
