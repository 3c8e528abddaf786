import { describe, expect, it } from 'vitest';
import { checkResolutions, registryTarballUrl } from './check-resolutions.js';
import type { LockfilePackage, LockfileResolution } from './types.js';

const npm = { default: 'https://registry.npmjs.org/', '@acme': 'https://npm.acme.dev/' };
const pkg = (key: string, resolution: LockfileResolution | undefined, version?: string): LockfilePackage => {
  const at = key.indexOf('@', 1);
  return { key, name: key.slice(0, at), version: version ?? key.slice(at + 1), resolution, line: 7 };
};
const codes = (packages: LockfilePackage[], allowed: string[] = Object.values(npm)) =>
  checkResolutions(packages, npm, allowed).map((f) => `${f.code}:${f.package}`);

describe('checkResolutions', () => {
  it('accepts registry packages with integrity from the configured registries', () => {
    expect(
      codes([pkg('lodash@4.17.21', { integrity: 'sha512-x' }), pkg('@acme/ui@1.0.0', { integrity: 'sha512-y' })]),
    ).toEqual([]);
  });

  it('derives tarball URLs as pnpm does, scoped registries included', () => {
    expect(registryTarballUrl('https://registry.npmjs.org', '@babel/core', '7.0.0')).toBe(
      'https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz',
    );
    const found = checkResolutions([pkg('@acme/ui@1.0.0', { integrity: 'sha512-y' })], npm, [
      'https://registry.npmjs.org/',
    ]);
    expect(found).toMatchObject([
      {
        code: 'REGISTRY_NOT_ALLOWED',
        kind: 'registry',
        lockfile: 'https://npm.acme.dev/@acme/ui/-/ui-1.0.0.tgz',
        line: 7,
      },
    ]);
  });

  it('requires an integrity hash', () => {
    expect(codes([pkg('lodash@4.17.21', {}), pkg('left-pad@1.3.0', undefined)])).toEqual([
      'INTEGRITY_MISSING:lodash@4.17.21',
      'INTEGRITY_MISSING:left-pad@1.3.0',
    ]);
    expect(codes([pkg('foo@file:foo.tgz', { tarball: 'file:foo.tgz' }, '1.0.0')])).toEqual([
      'INTEGRITY_MISSING:foo@file:foo.tgz',
    ]);
  });

  it('requires git dependencies to be pinned to a full commit', () => {
    const git = (commit: string) =>
      pkg(
        `bar@git+https://github.com/a/bar.git#${commit}`,
        { type: 'git', repo: 'https://github.com/a/bar.git', commit },
        '1.0.0',
      );
    expect(codes([git('0123456789abcdef0123456789abcdef01234567')])).toEqual([]);
    expect(codes([git('main')])).toEqual(['GIT_UNPINNED:bar@git+https://github.com/a/bar.git#main']);
    const hosted = (url: string, integrity?: string) =>
      pkg(`baz@${url}`, { tarball: url, ...(integrity ? { integrity } : {}) }, '1.0.0');
    expect(
      codes([hosted('https://codeload.github.com/a/baz/tar.gz/0123456789abcdef0123456789abcdef01234567')]),
    ).toEqual([]);
    expect(codes([hosted('https://codeload.github.com/a/baz/tar.gz/main')])).toEqual([
      'GIT_UNPINNED:baz@https://codeload.github.com/a/baz/tar.gz/main',
    ]);
  });

  it('flags tarball URLs without integrity, over http, outside the registries, or not matching the name', () => {
    expect(
      codes([pkg('foo@https://cdn.example.com/foo.tgz', { tarball: 'https://cdn.example.com/foo.tgz' }, '1.0.0')]),
    ).toEqual([
      'TARBALL_UNPINNED:foo@https://cdn.example.com/foo.tgz',
      'REGISTRY_NOT_ALLOWED:foo@https://cdn.example.com/foo.tgz',
    ]);
    expect(
      codes([
        pkg('lodash@4.17.21', {
          integrity: 'sha512-x',
          tarball: 'http://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz',
        }),
      ]),
    ).toEqual(['INSECURE_URL:lodash@4.17.21']);
    expect(
      codes([
        pkg('lodash@4.17.21', { integrity: 'sha512-x', tarball: 'https://registry.npmjs.org/evil/-/evil-1.0.0.tgz' }),
      ]),
    ).toEqual(['TARBALL_NAME_MISMATCH:lodash@4.17.21']);
    expect(
      codes([
        pkg('lodash@4.17.21', {
          integrity: 'sha512-x',
          tarball: 'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz',
        }),
      ]),
    ).toEqual([]);
  });

  it('flags an http registry configured in .npmrc', () => {
    const found = checkResolutions(
      [pkg('lodash@4.17.21', { integrity: 'sha512-x' })],
      { default: 'http://npm.internal/' },
      ['http://npm.internal/'],
    );
    expect(found.map((f) => f.code)).toEqual(['INSECURE_URL']);
  });

  it('skips local directories', () => {
    expect(codes([pkg('local@file:../local', { type: 'directory', directory: '../local' }, '1.0.0')])).toEqual([]);
  });
});

describe('checkResolutions output', () => {
  it('never prints registry credentials', () => {
    const registries = { default: 'https://ci:s3cret@npm.acme.dev/' };
    const found = checkResolutions([pkg('lodash@4.17.21', { integrity: 'sha512-x' })], registries, [
      'https://registry.npmjs.org/',
    ]);
    expect(found).toHaveLength(1);
    expect(JSON.stringify(found)).not.toContain('s3cret');
    expect(found[0]!.lockfile).toBe('https://***@npm.acme.dev/lodash/-/lodash-4.17.21.tgz');
  });
});

describe('registry comparison', () => {
  it('ignores the case of the host and a default port', () => {
    const found = checkResolutions(
      [
        pkg('lodash@4.17.21', {
          integrity: 'sha512-x',
          tarball: 'https://NPM.acme.dev:443/lodash/-/lodash-4.17.21.tgz',
        }),
        pkg('ms@2.1.3', { integrity: 'sha512-y' }),
      ],
      { default: 'https://npm.ACME.dev' },
      ['https://npm.acme.dev/'],
    );
    expect(found).toEqual([]);
  });
});
