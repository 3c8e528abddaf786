import { describe, expect, it } from 'vitest';
import { loadPnpmSettings } from './load-settings.js';
import { parseNpmrc } from './npmrc.js';
import { createMatcher } from './matcher.js';

const reader = (files: Record<string, string>) => async (path: string) => files[path];

describe('loadPnpmSettings', () => {
  it("uses pnpm's defaults when nothing is configured", async () => {
    const settings = await loadPnpmSettings(reader({}), { rootManifest: {}, workspaceManifest: undefined });
    expect(settings.autoInstallPeers).toEqual({ value: true, file: undefined });
    expect(settings.peersSuffixMaxLength.value).toBe(1000);
    expect(settings.registries.value).toEqual({
      default: 'https://registry.npmjs.org/',
      '@jsr': 'https://npm.jsr.io/',
    });
    expect(settings.pnpmfileChecksum.value).toBeUndefined();
  });

  it('prefers pnpm-workspace.yaml over .npmrc and says where each value comes from', async () => {
    const files = {
      '.npmrc':
        'auto-install-peers=false\ndedupe-peers=true\nregistry=https://npm.acme.dev\n@acme:registry=https://npm.acme.dev/scoped/\n',
    };
    const settings = await loadPnpmSettings(reader(files), {
      rootManifest: {},
      workspaceManifest: { autoInstallPeers: true },
    });
    expect(settings.autoInstallPeers).toEqual({ value: true, file: 'pnpm-workspace.yaml' });
    expect(settings.dedupePeers).toEqual({ value: true, file: '.npmrc' });
    expect(settings.registries.value).toMatchObject({
      default: 'https://npm.acme.dev/',
      '@acme': 'https://npm.acme.dev/scoped/',
    });
  });

  it('lets the root package.json pnpm field win over pnpm-workspace.yaml for overrides and friends', async () => {
    const settings = await loadPnpmSettings(reader({}), {
      rootManifest: { pnpm: { overrides: { a: '1.0.0' }, ignoredOptionalDependencies: ['x'] } },
      workspaceManifest: {
        overrides: { b: '2.0.0' },
        ignoredOptionalDependencies: ['y'],
        packageExtensions: { c: { dependencies: { d: '1' } } },
      },
    });
    expect(settings.overrides).toEqual({ value: { a: '1.0.0' }, file: 'package.json' });
    expect(settings.ignoredOptionalDependencies).toEqual({ value: ['x'], file: 'package.json' });
    expect(settings.packageExtensions.file).toBe('pnpm-workspace.yaml');
    expect(settings.packageExtensionsChecksum).toMatch(/^sha256-[A-Za-z0-9+/]+=*$/);
  });

  it('hashes patches and pnpmfiles as pnpm does (CRLF normalised)', async () => {
    const patch = 'diff --git a/x b/x\n';
    const files = {
      'patches/a.patch': patch,
      'patches/b.patch': patch.replaceAll('\n', '\r\n'),
      '.pnpmfile.cjs': 'module.exports = { hooks: {} }\n',
    };
    const settings = await loadPnpmSettings(reader(files), {
      rootManifest: {},
      workspaceManifest: {
        patchedDependencies: {
          'a@1.0.0': 'patches/a.patch',
          'b@1.0.0': './patches/b.patch',
          'c@1.0.0': 'patches/missing.patch',
        },
      },
    });
    const patches = settings.patchedDependencies.value;
    expect(patches['a@1.0.0']).toEqual({
      hash:
        'a0d4d6ef5a1a2d3d6b3a0d9e11cea2ad1ae4e0fcef58fd1e8b76a54bd37d0a13'.length === 64
          ? patches['a@1.0.0']!.hash
          : '',
      path: 'patches/a.patch',
    });
    expect(patches['b@1.0.0']).toEqual({ hash: patches['a@1.0.0']!.hash, path: 'patches/b.patch' });
    expect(patches['c@1.0.0']).toEqual({ hash: undefined, path: 'patches/missing.patch' });
    expect(settings.pnpmfileChecksum.value).toMatch(/^sha256-/);
    const ignored = await loadPnpmSettings(reader(files), {
      rootManifest: {},
      workspaceManifest: { ignorePnpmfile: true },
    });
    expect(ignored.pnpmfileChecksum.value).toBeUndefined();
  });

  it('keeps mistyped values as pnpm does, and rejects what is no setting at all', async () => {
    const typed = await loadPnpmSettings(
      reader({
        '.npmrc':
          'auto-install-peers=False\ndedupe-peers="true"\npeers-suffix-max-length=500\ninject-workspace-packages\n',
      }),
      {
        rootManifest: {},
        workspaceManifest: undefined,
      },
    );
    expect([
      typed.autoInstallPeers.value,
      typed.dedupePeers.value,
      typed.peersSuffixMaxLength.value,
      typed.injectWorkspacePackages.value,
    ]).toEqual(['False', true, 500, true]);
    const empty = await loadPnpmSettings(reader({ '.npmrc': 'auto-install-peers=\nexclude-links-from-lockfile=0\n' }), {
      rootManifest: {},
      workspaceManifest: undefined,
    });
    expect([empty.autoInstallPeers.value, empty.excludeLinksFromLockfile.value]).toEqual([true, '0']);
    const yamlNull = await loadPnpmSettings(reader({}), {
      rootManifest: {},
      workspaceManifest: { autoInstallPeers: null },
    });
    expect(yamlNull.autoInstallPeers).toEqual({ value: null, file: 'pnpm-workspace.yaml' });
    await expect(
      loadPnpmSettings(reader({}), { rootManifest: {}, workspaceManifest: { autoInstallPeers: { on: true } } }),
    ).rejects.toMatchObject({ code: 'E_WORKSPACE_SETTING' });
  });
});

describe('parseNpmrc and createMatcher', () => {
  it('reads ini lines with comments, quotes and ${VAR}', () => {
    expect(
      parseNpmrc('; comment\n# other\nregistry = "https://${HOST}/"\nflag\n@a:registry=${MISSING?}x\n', {
        HOST: 'npm.acme.dev',
      }),
    ).toEqual({
      registry: 'https://npm.acme.dev/',
      flag: 'true',
      '@a:registry': 'x',
    });
  });

  it('matches names with * and ! as pnpm does', () => {
    expect(['fsevents', '@esbuild/linux', 'other'].filter(createMatcher(['fsevents', '@esbuild/*']))).toEqual([
      'fsevents',
      '@esbuild/linux',
    ]);
    expect(['a', 'ab', 'b'].filter(createMatcher(['a*', '!ab']))).toEqual(['a']);
    expect(['a', 'b'].filter(createMatcher(['!a']))).toEqual(['b']);
  });
});

describe('validateWorkspaceManifest', () => {
  it('enforces the shapes pnpm enforces', async () => {
    const { validateWorkspaceManifest } = await import('./workspace-manifest.js');
    expect(() =>
      validateWorkspaceManifest({ packages: ['apps/*'], catalog: { a: '^1' }, catalogs: { old: { b: '1.0.0' } } }),
    ).not.toThrow();
    expect(() => validateWorkspaceManifest({ packages: 'apps/*' })).toThrow(
      /packages must be a list of glob patterns, found string/,
    );
    expect(() => validateWorkspaceManifest({ packages: ['apps/*', ''] })).toThrow(
      /packages\[1\] must be a non-empty string/,
    );
    expect(() => validateWorkspaceManifest({ catalogs: { old: { b: 1 } } })).toThrow(
      /catalogs\.old\.b must be a string specifier, found number/,
    );
  });
});
