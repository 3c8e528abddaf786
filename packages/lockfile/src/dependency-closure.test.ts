import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '@devkit/test-utils';
import { dependencyClosure, lockfileSlice, resolveLockVersion, snapshotEdges } from './dependency-closure.js';
import { parseLockfile } from './parse-lockfile.js';

const LOCK = `lockfileVersion: '9.0'
importers:
  .:
    devDependencies:
      typescript: { specifier: 5.9.3, version: 5.9.3 }
  apps/api:
    dependencies:
      '@acme/shared': { specifier: 'workspace:*', version: link:../../packages/shared }
      express: { specifier: ^4, version: 4.19.2 }
      alias: { specifier: 'npm:ms@2.1.3', version: ms@2.1.3 }
    devDependencies:
      vitest: { specifier: ^1, version: 1.0.0 }
  packages/shared:
    dependencies:
      debug: { specifier: ^4, version: 4.3.4(supports-color@8.1.1) }
packages:
  express@4.19.2: { resolution: { integrity: sha512-e } }
  ms@2.1.3: { resolution: { integrity: sha512-m } }
  debug@4.3.4: { resolution: { integrity: sha512-d } }
  supports-color@8.1.1: { resolution: { integrity: sha512-s } }
  vitest@1.0.0: { resolution: { integrity: sha512-v } }
  typescript@5.9.3: { resolution: { integrity: sha512-t } }
snapshots:
  express@4.19.2:
    dependencies: { ms: 2.1.3 }
  ms@2.1.3: {}
  debug@4.3.4(supports-color@8.1.1):
    dependencies: { ms: 2.1.3 }
    optionalDependencies: { supports-color: 8.1.1 }
  supports-color@8.1.1: {}
  vitest@1.0.0: {}
  typescript@5.9.3: {}
`;

describe('dependency closure from the lockfile', () => {
  const lock = parseLockfile(LOCK, 'pnpm-lock.yaml');

  it('follows production dependencies through workspace links, aliases and peer suffixes, without dev dependencies', () => {
    expect(dependencyClosure(lock, 'apps/api', false)).toEqual({
      importers: ['apps/api', 'packages/shared'],
      packages: ['debug@4.3.4(supports-color@8.1.1)', 'express@4.19.2', 'ms@2.1.3', 'supports-color@8.1.1'],
    });
  });

  it('adds dev dependencies for the build closure', () => {
    expect(dependencyClosure(lock, 'apps/api', true).packages).toContain('vitest@1.0.0');
  });

  it('slices only what the closure uses, with integrity', () => {
    const slice = lockfileSlice(lock, dependencyClosure(lock, 'apps/api', false));
    expect(Object.keys(slice).sort()).toEqual([
      'debug@4.3.4(supports-color@8.1.1)',
      'express@4.19.2',
      'importer:apps/api',
      'importer:packages/shared',
      'ms@2.1.3',
      'supports-color@8.1.1',
    ]);
    expect(slice['debug@4.3.4(supports-color@8.1.1)']).toMatchObject({ resolution: { integrity: 'sha512-d' } });
  });

  it('resolves link:, alias and plain versions', () => {
    expect(resolveLockVersion('apps/api', '@acme/shared', 'link:../../packages/shared')).toEqual({
      kind: 'workspace',
      importer: 'packages/shared',
    });
    expect(resolveLockVersion(undefined, 'alias', 'ms@2.1.3')).toEqual({ kind: 'package', key: 'ms@2.1.3' });
    expect(resolveLockVersion(undefined, '@types/ms', '2.1.0')).toEqual({ kind: 'package', key: '@types/ms@2.1.0' });
    // a git URL with a user is not an alias: the @ comes after the protocol
    expect(resolveLockVersion(undefined, 'bar', 'git+ssh://git@github.com/acme/bar.git#0123abc')).toEqual({
      kind: 'package',
      key: 'bar@git+ssh://git@github.com/acme/bar.git#0123abc',
    });
  });

  it('marks optional edges and optional snapshots', () => {
    expect(snapshotEdges(lock, 'debug@4.3.4(supports-color@8.1.1)')).toEqual([
      { name: 'ms', target: { kind: 'package', key: 'ms@2.1.3' }, optional: false },
      { name: 'supports-color', target: { kind: 'package', key: 'supports-color@8.1.1' }, optional: true },
    ]);
  });

  it('reads the same graph from pnpm block layout (the section scanner) as from flow layout (the YAML parser)', () => {
    const flow = LOCK.replace('  supports-color@8.1.1: {}', '  supports-color@8.1.1: { optional: true }');
    const lock = parseLockfile(flow, 'pnpm-lock.yaml');
    const scanned = parseLockfile(yaml.dump(yaml.load(flow), { lineWidth: -1 }), 'pnpm-lock.yaml');
    expect(lock.snapshots.get('supports-color@8.1.1')?.optional).toBe(true);
    expect(scanned.snapshots.get('supports-color@8.1.1')?.optional).toBe(true);
    expect(scanned.snapshots.get('ms@2.1.3')?.optional).toBeUndefined();
    for (const member of ['.', 'apps/api', 'packages/shared']) {
      for (const withDev of [false, true]) {
        const closure = dependencyClosure(scanned, member, withDev);
        expect(closure).toEqual(dependencyClosure(lock, member, withDev));
        expect(lockfileSlice(scanned, closure)).toEqual(lockfileSlice(lock, closure));
      }
    }
    for (const key of lock.snapshots.keys()) expect(snapshotEdges(scanned, key)).toEqual(snapshotEdges(lock, key));
  });

  it('refuses lockfiles it cannot read, naming the file', () => {
    expect(() => parseLockfile("lockfileVersion: '6.0'\nimporters: {}\n", 'x/pnpm-lock.yaml')).toThrow(
      /x\/pnpm-lock.yaml has lockfileVersion "6.0"/,
    );
    // only the sections it reads are parsed, so the broken YAML is in one of them
    expect(() => parseLockfile("lockfileVersion: '9.0'\nimporters: [\n", 'y.yaml')).toThrow(
      /y\.yaml:\d+ is not valid YAML/,
    );
  });

  it('refuses a member the lockfile does not list', () => {
    expect(() => dependencyClosure(lock, 'apps/gone', false)).toThrow(/pnpm-lock.yaml has no importer "apps\/gone"/);
  });
});

describe('the acme fixture, as the earlier artifact reader resolved it', () => {
  const lock = parseLockfile(readFileSync(join(FIXTURES, 'acme/pnpm-lock.yaml'), 'utf8'));

  it('gives the same closure of every member, with and without dev dependencies', () => {
    const closures = Object.fromEntries(
      Object.keys(lock.importers).flatMap((member) =>
        [false, true].map((withDev) => [
          `${member}${withDev ? ' +dev' : ''}`,
          dependencyClosure(lock, member, withDev),
        ]),
      ),
    );
    expect(closures).toEqual({
      '.': { importers: ['.'], packages: [] },
      '. +dev': {
        importers: ['.'],
        packages: ['@turbo/linux-64@2.11.11', '@turbo/linux-arm64@2.11.11', 'turbo@2.11.11', 'typescript@5.9.3'],
      },
      'apps/api': { importers: ['apps/api', 'packages/shared'], packages: ['ms@2.1.3'] },
      'apps/api +dev': {
        importers: ['apps/api', 'packages/shared'],
        packages: ['@types/ms@2.1.0', '@types/node@20.19.43', 'ms@2.1.3', 'undici-types@6.21.0'],
      },
      'apps/web': { importers: ['apps/web', 'packages/shared'], packages: ['picocolors@1.1.1'] },
      'apps/web +dev': { importers: ['apps/web', 'packages/shared'], packages: ['picocolors@1.1.1'] },
      'packages/fastdiff': { importers: ['packages/fastdiff'], packages: [] },
      'packages/fastdiff +dev': { importers: ['packages/fastdiff'], packages: [] },
      'packages/shared': { importers: ['packages/shared'], packages: [] },
      'packages/shared +dev': { importers: ['packages/shared'], packages: [] },
    });
  });

  it('gives the same slice: resolutions, optional marks, optional dependencies, importer specifiers', () => {
    const integrity = (key: string) => ({ integrity: lock.packages.find((p) => p.key === key)!.resolution!.integrity });
    expect(integrity('turbo@2.11.11').integrity).toBe(
      'sha512-AI4UJbUE/2cVZdoXJ4PODc8qvrjhQQX9Fa93eKGOI6Ims/w7+kUIb9T1jhlgSnZcf+gtUruci/ohSwqtNNC5Yw==',
    );
    expect(lockfileSlice(lock, dependencyClosure(lock, '.', true))).toEqual({
      '@turbo/linux-64@2.11.11': { resolution: integrity('@turbo/linux-64@2.11.11'), snapshot: { optional: true } },
      '@turbo/linux-arm64@2.11.11': {
        resolution: integrity('@turbo/linux-arm64@2.11.11'),
        snapshot: { optional: true },
      },
      'turbo@2.11.11': {
        resolution: integrity('turbo@2.11.11'),
        snapshot: { optionalDependencies: { '@turbo/linux-64': '2.11.11', '@turbo/linux-arm64': '2.11.11' } },
      },
      'typescript@5.9.3': { resolution: integrity('typescript@5.9.3'), snapshot: {} },
      'importer:.': {
        devDependencies: {
          turbo: { specifier: '2.11.11', version: '2.11.11' },
          typescript: { specifier: '5.9.3', version: '5.9.3' },
        },
      },
    });
    expect(lockfileSlice(lock, dependencyClosure(lock, 'apps/api', true))).toMatchObject({
      '@types/node@20.19.43': { snapshot: { dependencies: { 'undici-types': '6.21.0' } } },
      'importer:apps/api': {
        dependencies: {
          '@acme/shared': { specifier: 'workspace:*', version: 'link:../../packages/shared' },
          ms: { specifier: '2.1.3', version: '2.1.3' },
        },
        devDependencies: {
          '@types/ms': { specifier: '2.1.0', version: '2.1.0' },
          '@types/node': { specifier: '20.19.43', version: '20.19.43' },
        },
      },
      'importer:packages/shared': {},
    });
  });
});
