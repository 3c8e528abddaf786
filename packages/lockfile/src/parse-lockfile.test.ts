import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { isDevkitError } from '@devkit/core';
import { findConflictMarkers, parseLockfile } from './parse-lockfile.js';
import { scanPackagesSection } from './packages-section.js';

const LOCKFILE = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

catalogs:
  default:
    ms:
      specifier: ^2.1.3
      version: 2.1.3

overrides:
  is-number: 7.0.0

importers:

  .:
    devDependencies:
      is-positive:
        specifier: 3.1.0
        version: 3.1.0

  apps/api:
    dependencies:
      '@acme/shared':
        specifier: workspace:*
        version: link:../../packages/shared
      ms:
        specifier: 'catalog:'
        version: 2.1.3
    optionalDependencies:
      is-odd:
        specifier: ^3.0.1
        version: 3.0.1
    publishDirectory: dist

packages:

  '@babel/code-frame@7.27.1':
    resolution: {integrity: sha512-AAAA}
    engines: {node: '>=6.9.0'}

  foo@https://example.com/foo-1.0.0.tgz:
    resolution: {tarball: https://example.com/foo-1.0.0.tgz}
    version: 1.0.0

  bar@git+https://github.com/acme/bar.git#0123456789abcdef0123456789abcdef01234567:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, repo: https://github.com/acme/bar.git, type: git}
    version: 2.0.0

  ms@2.1.3:
    resolution: {integrity: 'sha512-it''s quoted'}

snapshots:

  '@babel/code-frame@7.27.1':
    dependencies:
      '@babel/helper-validator-identifier': 7.27.1
      js-tokens: 4.0.0
    optionalDependencies:
      picocolors: 1.1.1
    transitivePeerDependencies:
      - supports-color

  bar@git+https://github.com/acme/bar.git#0123456789abcdef0123456789abcdef01234567: {}

  foo@https://example.com/foo-1.0.0.tgz:
    dependencies:
      my-ms: ms@2.1.3

  ms@2.1.3: {}
`;

function errorOf(fn: () => unknown): { code: string; exitCode: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (isDevkitError(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parseLockfile', () => {
  it('reads settings, catalogs, overrides, importers, packages and the references of snapshots', () => {
    const lockfile = parseLockfile(LOCKFILE);
    expect(lockfile.lockfileVersion).toBe('9.0');
    expect(lockfile.settings).toEqual({ autoInstallPeers: true, excludeLinksFromLockfile: false });
    expect(lockfile.catalogs).toEqual({ default: { ms: { specifier: '^2.1.3', version: '2.1.3' } } });
    expect(lockfile.overrides).toEqual({ 'is-number': '7.0.0' });
    expect(lockfile.importers['apps/api']).toEqual({
      specifiers: { '@acme/shared': 'workspace:*', ms: 'catalog:', 'is-odd': '^3.0.1' },
      dependencies: { '@acme/shared': 'link:../../packages/shared', ms: '2.1.3' },
      optionalDependencies: { 'is-odd': '3.0.1' },
      publishDirectory: 'dist',
    });
    expect(lockfile.packages.map((p) => [p.name, p.version, p.line])).toEqual([
      ['@babel/code-frame', '7.27.1', 40],
      ['foo', '1.0.0', 44],
      ['bar', '2.0.0', 48],
      ['ms', '2.1.3', 52],
    ]);
    expect(lockfile.packages[1]!.resolution).toEqual({ tarball: 'https://example.com/foo-1.0.0.tgz' });
    expect(lockfile.packages[2]!.resolution).toMatchObject({
      type: 'git',
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(lockfile.packages[3]!.resolution).toEqual({ integrity: "sha512-it's quoted" });
    expect([...lockfile.snapshots]).toEqual([
      [
        '@babel/code-frame@7.27.1',
        {
          line: 57,
          refs: ['@babel/helper-validator-identifier', '7.27.1', 'js-tokens', '4.0.0', 'picocolors', '1.1.1'],
          optionalFrom: 4,
        },
      ],
      ['bar@git+https://github.com/acme/bar.git#0123456789abcdef0123456789abcdef01234567', { line: 66, refs: [] }],
      ['foo@https://example.com/foo-1.0.0.tgz', { line: 68, refs: ['my-ms', 'ms@2.1.3'] }],
      ['ms@2.1.3', { line: 72, refs: [] }],
    ]);
  });

  it('reads the packages section the same way js-yaml does', () => {
    const text = LOCKFILE.slice(0, LOCKFILE.indexOf('snapshots:'));
    const section = text.slice(text.indexOf('packages:'));
    const fast = scanPackagesSection(section, 1)!;
    const full = (yaml.load(section) as { packages: Record<string, { resolution: unknown }> }).packages;
    expect(Object.fromEntries(fast.map((p) => [p.key, p.resolution]))).toEqual(
      Object.fromEntries(Object.entries(full).map(([k, v]) => [k, v.resolution])),
    );
  });

  it('falls back to a YAML parser for a packages section in another layout', () => {
    const text = LOCKFILE.replace(
      '    resolution: {integrity: sha512-AAAA}\n',
      '    resolution:\n      integrity: sha512-AAAA\n',
    );
    const lockfile = parseLockfile(text);
    expect(lockfile.packages.find((p) => p.name === '@babel/code-frame')?.resolution).toEqual({
      integrity: 'sha512-AAAA',
    });
  });

  it('reads a lockfile checked out with CRLF line endings the same way', () => {
    const crlf = LOCKFILE.replace(/snapshots:[\s\S]*/, '').replaceAll('\n', '\r\n');
    const lf = parseLockfile(LOCKFILE);
    const parsed = parseLockfile(crlf);
    expect(parsed.importers).toEqual(lf.importers);
    expect(parsed.packages).toEqual(lf.packages);
    expect(findConflictMarkers('a\r\n<<<<<<< HEAD\r\nb\r\n=======\r\nc\r\n>>>>>>> x\r\n')).toEqual([2, 4, 6]);
  });

  it('reports merge-conflict markers with their lines', () => {
    const text = LOCKFILE.replace('  .:\n', '<<<<<<< HEAD\n  .:\n=======\n  .:\n>>>>>>> feature\n');
    expect(findConflictMarkers(text)).toEqual([18, 20, 22]);
    const error = errorOf(() => parseLockfile(text));
    expect(error).toMatchObject({ code: 'E_LOCKFILE_CONFLICT', exitCode: 2 });
    expect(error.message).toContain('lines 18, 20, 22');
  });

  it('rejects a lockfile version pnpm 10 cannot read', () => {
    const error = errorOf(() => parseLockfile(LOCKFILE.replace("'9.0'", "'6.0'")));
    expect(error).toMatchObject({ code: 'E_LOCKFILE_VERSION', exitCode: 2 });
    expect(error.message).toContain('"6.0"');
    expect(errorOf(() => parseLockfile('importers: {}\n')).code).toBe('E_LOCKFILE_VERSION');
    expect(parseLockfile(LOCKFILE.replace("'9.0'", "'9.1'")).lockfileVersion).toBe('9.1');
    expect(errorOf(() => parseLockfile(LOCKFILE.replace("'9.0'", '9.0'))).message).toContain(
      'unquoted lockfileVersion, which YAML reads as the number 9',
    );
  });

  it('names the line of invalid YAML', () => {
    const error = errorOf(() =>
      parseLockfile(
        LOCKFILE.replace('    devDependencies:\n      is-positive:', '    devDependencies:\n      is-positive: ['),
      ),
    );
    expect(error).toMatchObject({ code: 'E_LOCKFILE_PARSE', exitCode: 2 });
    expect(error.message).toMatch(/pnpm-lock\.yaml:\d+ is not valid YAML/);
  });

  it('rejects an empty file, a repeated top-level key and conflicting importer specifiers', () => {
    expect(errorOf(() => parseLockfile('\n')).code).toBe('E_LOCKFILE_EMPTY');
    expect(
      errorOf(() => parseLockfile(`${LOCKFILE.replace(/snapshots:[\s\S]*/, '')}overrides:\n  a: 1.0.0\n`)).message,
    ).toContain('duplicated mapping key "overrides"');
    const conflicting = LOCKFILE.replace(
      '    publishDirectory: dist',
      '    devDependencies:\n      ms:\n        specifier: ^1.0.0\n        version: 1.0.0\n    publishDirectory: dist',
    );
    expect(errorOf(() => parseLockfile(conflicting)).message).toContain('lists ms more than once');
  });
});
