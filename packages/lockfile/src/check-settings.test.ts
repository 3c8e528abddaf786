import { describe, expect, it } from 'vitest';
import { checkSettings } from './check-settings.js';
import type { ParsedLockfile, PnpmSettings } from './types.js';

const s = <T>(value: T, file?: string) => ({ value, file });
const settings = (over: Partial<PnpmSettings> = {}): PnpmSettings => ({
  autoInstallPeers: s(true),
  dedupePeers: s(false),
  excludeLinksFromLockfile: s(false),
  peersSuffixMaxLength: s(1000),
  injectWorkspacePackages: s(false),
  overrides: s({}),
  packageExtensions: s(undefined),
  packageExtensionsChecksum: undefined,
  ignoredOptionalDependencies: s(undefined),
  patchedDependencies: s({}),
  catalogs: s({ default: { ms: '^2.1.3' } }, 'pnpm-workspace.yaml'),
  pnpmfileChecksum: s(undefined),
  registries: s({ default: 'https://registry.npmjs.org/' }),
  ...over,
});
const lockfile = (over: Partial<ParsedLockfile> = {}): ParsedLockfile => ({
  lockfileVersion: '9.0',
  settings: { autoInstallPeers: true, excludeLinksFromLockfile: false },
  catalogs: { default: { ms: { specifier: '^2.1.3', version: '2.1.3' } } },
  importers: {},
  packages: [],
  snapshots: new Map(),
  ...over,
});
const fields = (l: ParsedLockfile, st: PnpmSettings, overrides: Record<string, string> = {}) =>
  checkSettings(l, st, overrides).map((f) => `${f.code}:${f.field}`);

describe('checkSettings', () => {
  it('accepts settings that match', () => {
    expect(checkSettings(lockfile(), settings(), {})).toEqual([]);
  });

  it('reports every changed setting with both values and the file it comes from', () => {
    const st = settings({
      autoInstallPeers: s(false, '.npmrc'),
      dedupePeers: s(true, 'pnpm-workspace.yaml'),
      injectWorkspacePackages: s(true, 'pnpm-workspace.yaml'),
    });
    const found = checkSettings(lockfile(), st, {});
    expect(found.map((f) => f.field)).toEqual([
      'settings.autoInstallPeers',
      'settings.dedupePeers',
      'settings.injectWorkspacePackages',
    ]);
    expect(found[0]).toMatchObject({ code: 'SETTING_CHANGED', manifest: false, lockfile: true, file: '.npmrc' });
  });

  it('compares autoInstallPeers and excludeLinksFromLockfile only when the lockfile records them', () => {
    expect(
      checkSettings(
        lockfile({ settings: {} }),
        settings({ autoInstallPeers: s(false), excludeLinksFromLockfile: s(true) }),
        {},
      ),
    ).toEqual([]);
  });

  it('takes a missing peersSuffixMaxLength as 1000', () => {
    expect(fields(lockfile(), settings({ peersSuffixMaxLength: s(500, '.npmrc') }))).toEqual([
      'SETTING_CHANGED:settings.peersSuffixMaxLength',
    ]);
    expect(
      fields(lockfile({ settings: { peersSuffixMaxLength: 500 } }), settings({ peersSuffixMaxLength: s(500) })),
    ).toEqual([]);
  });

  it('checks only the catalog entries the lockfile recorded', () => {
    expect(fields(lockfile(), settings({ catalogs: s({ default: { ms: '^2.1.3', kleur: '^4' } }) }))).toEqual([]);
    const found = checkSettings(
      lockfile(),
      settings({ catalogs: s({ default: { ms: '^2.0.0' } }, 'pnpm-workspace.yaml') }),
      {},
    );
    expect(found).toMatchObject([
      {
        code: 'CATALOG_CHANGED',
        dependency: 'ms',
        manifest: '^2.0.0',
        lockfile: '^2.1.3',
        file: 'pnpm-workspace.yaml',
      },
    ]);
  });

  it('lists each override that was added, removed or changed', () => {
    const found = checkSettings(
      lockfile({ overrides: { a: '1.0.0', b: '2.0.0' } }),
      settings({ overrides: s({}, 'package.json') }),
      { a: '1.0.1', c: '3.0.0' },
    );
    expect(found.map((f) => [f.dependency, f.manifest, f.lockfile])).toEqual([
      ['a', '1.0.1', '1.0.0'],
      ['b', null, '2.0.0'],
      ['c', '3.0.0', null],
    ]);
  });

  it('compares patches, packageExtensions, ignoredOptionalDependencies and the pnpmfile', () => {
    const l = lockfile({
      patchedDependencies: { 'a@1.0.0': { hash: 'aa', path: 'patches/a.patch' } },
      packageExtensionsChecksum: 'sha256-x',
      ignoredOptionalDependencies: ['b', 'a'],
      pnpmfileChecksum: 'sha256-p',
    });
    const same = settings({
      patchedDependencies: s({ 'a@1.0.0': { hash: 'aa', path: 'patches/a.patch' } }),
      packageExtensionsChecksum: 'sha256-x',
      ignoredOptionalDependencies: s(['a', 'b']),
      pnpmfileChecksum: s('sha256-p', '.pnpmfile.cjs'),
    });
    expect(checkSettings(l, same, {})).toEqual([]);
    const changed = settings({
      patchedDependencies: s({
        'a@1.0.0': { hash: 'bb', path: 'patches/a.patch' },
        'c@1.0.0': { hash: undefined, path: 'patches/c.patch' },
      }),
      ignoredOptionalDependencies: s(['a']),
    });
    expect(fields(l, changed)).toEqual([
      'PACKAGE_EXTENSIONS_CHANGED:packageExtensionsChecksum',
      'IGNORED_OPTIONAL_CHANGED:ignoredOptionalDependencies',
      'PATCHES_CHANGED:patchedDependencies',
      'PATCHES_CHANGED:patchedDependencies',
      'PNPMFILE_CHANGED:pnpmfileChecksum',
    ]);
  });
});
