import { describe, expect, it } from 'vitest';
import { dependencyClosure, lockfileSlice, parseLockfile, resolveLockVersion } from './lockfile.js';

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
    expect(Object.keys(slice).sort()).toEqual(['debug@4.3.4(supports-color@8.1.1)', 'express@4.19.2', 'importer:apps/api', 'importer:packages/shared', 'ms@2.1.3', 'supports-color@8.1.1']);
    expect(slice['debug@4.3.4(supports-color@8.1.1)']).toMatchObject({ resolution: { integrity: 'sha512-d' } });
  });

  it('resolves link:, alias and plain versions', () => {
    expect(resolveLockVersion('apps/api', '@acme/shared', 'link:../../packages/shared')).toEqual({ kind: 'workspace', importer: 'packages/shared' });
    expect(resolveLockVersion(undefined, 'alias', 'ms@2.1.3')).toEqual({ kind: 'package', key: 'ms@2.1.3' });
    expect(resolveLockVersion(undefined, '@types/ms', '2.1.0')).toEqual({ kind: 'package', key: '@types/ms@2.1.0' });
  });

  it('refuses lockfiles it cannot read, naming the file', () => {
    expect(() => parseLockfile("lockfileVersion: '6.0'\nimporters: {}\n", 'x/pnpm-lock.yaml')).toThrow(/x\/pnpm-lock.yaml has lockfileVersion 6.0/);
    expect(() => parseLockfile('a: [', 'y.yaml')).toThrow(/y.yaml is not valid YAML/);
  });
});
