import { mkdirSync, realpathSync, renameSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import type { DevkitConfig } from '@devkit/config';
import { buildKey, planNativeBuilds } from './build.js';
import { resolveBuildDependencies } from './dependencies.js';

afterAll(() => cleanupTempDirs());

/** A package as pnpm stores it: the real folder under node_modules/.pnpm, its dependencies beside it. */
function storePackage(root: string, name: string, version: string, files: Record<string, string> = {}): string {
  const dir = join(root, 'node_modules/.pnpm', `${name.replace('/', '+')}@${version}`, 'node_modules', name);
  writeFiles(dir, { 'package.json': { name, version }, ...files });
  return dir;
}

/** pnpm's link from a package's node_modules to the store folder. */
function link(from: string, name: string, to: string): void {
  const at = join(from, 'node_modules', name);
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(to, at, 'dir');
}

/** A workspace with packages/addon declaring `manifest`, as pnpm installs it. */
function workspace(manifest: Record<string, unknown>): { root: string; pkg: string } {
  const root = tempDir('devkit-native-deps-');
  const pkg = join(root, 'packages/addon');
  writeFiles(root, {
    'package.json': { name: 'ws', private: true },
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
    'packages/addon/package.json': { name: '@acme/addon', version: '1.0.0', ...manifest },
    'packages/addon/addon.cc': '#include <napi.h>\n',
  });
  return { root, pkg };
}

describe('build dependencies of a native package', () => {
  it("copies a declared build helper's real files from pnpm's linked node_modules, without its own node_modules", async () => {
    const { root, pkg } = workspace({ devDependencies: { 'node-addon-api': '8.1.0', 'left-pad': '1.3.0' } });
    const api = storePackage(root, 'node-addon-api', '8.1.0', { 'napi.h': '// napi', 'tools/check.js': '' });
    // Its own dependency (a link beside it in the store, and one inside it) is not followed.
    writeFiles(join(api, 'node_modules/inner'), { 'package.json': { name: 'inner', version: '1.0.0' } });
    // A link inside the package to a file of it is copied as that file.
    symlinkSync('napi.h', join(api, 'napi-link.h'));
    link(pkg, 'node-addon-api', api);
    link(pkg, 'left-pad', storePackage(root, 'left-pad', '1.3.0'));

    const { dependencies, files } = await resolveBuildDependencies({
      root,
      packageName: '@acme/addon',
      packageDir: pkg,
    });
    // left-pad is not a build helper: it comes in only when devkit.json names it.
    expect(dependencies).toEqual([
      {
        name: 'node-addon-api',
        version: '8.1.0',
        reason: 'helper',
        from: 'node_modules/.pnpm/node-addon-api@8.1.0/node_modules/node-addon-api',
        files: 4,
      },
    ]);
    expect(files.map((f) => f.name)).toEqual([
      'node_modules/node-addon-api/napi-link.h',
      'node_modules/node-addon-api/napi.h',
      'node_modules/node-addon-api/package.json',
      'node_modules/node-addon-api/tools/check.js',
    ]);
    // Every source is a real file in the store, never the link in the package's node_modules.
    for (const f of files) expect(f.source.startsWith(realpathSync(api))).toBe(true);
    expect(files[0]!.source).toBe(join(realpathSync(api), 'napi.h'));
  });

  it("falls back to the workspace root's node_modules, takes devkit.json's names (scoped too) and skips a missing optional helper", async () => {
    const { root, pkg } = workspace({
      dependencies: { nan: '2.22.0', '@acme/headers': '1.0.0' },
      optionalDependencies: { bindings: '1.5.0' },
    });
    writeFiles(join(root, 'node_modules/nan'), { 'package.json': { name: 'nan', version: '2.22.0' }, 'nan.h': '' });
    link(pkg, '@acme/headers', storePackage(root, '@acme/headers', '1.0.0', { 'include/a.h': '' }));

    const { dependencies, files } = await resolveBuildDependencies({
      root,
      packageName: '@acme/addon',
      packageDir: pkg,
      configured: ['@acme/headers'],
    });
    expect(dependencies.map((d) => [d.name, d.version, d.reason, d.from])).toEqual([
      ['@acme/headers', '1.0.0', 'config', 'node_modules/.pnpm/@acme+headers@1.0.0/node_modules/@acme/headers'],
      ['nan', '2.22.0', 'helper', 'node_modules/nan'],
    ]);
    expect(files.map((f) => f.name)).toContain('node_modules/@acme/headers/include/a.h');
    expect(files.map((f) => f.name)).toContain('node_modules/nan/nan.h');
  });

  it('refuses (exit 2) a configured name the package does not declare or that is not installed; a missing helper is left out', async () => {
    const { root, pkg } = workspace({ devDependencies: { 'node-addon-api': '8.1.0', nan: '2.22.0' } });
    link(pkg, 'node-addon-api', storePackage(root, 'node-addon-api', '8.1.0'));
    await expect(
      resolveBuildDependencies({ root, packageName: '@acme/addon', packageDir: pkg, configured: ['left-pad'] }),
    ).rejects.toMatchObject({
      code: 'E_NATIVE_DEPENDENCY_UNDECLARED',
      exitCode: 2,
      message:
        'native.packages["@acme/addon"].dependencies names "left-pad", which packages/addon/package.json does not declare',
      hint: expect.stringContaining('pnpm add -D left-pad --filter @acme/addon') as string,
    });
    // nan is declared but pnpm install has not run since: listed in devkit.json, exit 2.
    await expect(
      resolveBuildDependencies({ root, packageName: '@acme/addon', packageDir: pkg, configured: ['nan'] }),
    ).rejects.toMatchObject({
      code: 'E_NATIVE_DEPENDENCY_MISSING',
      exitCode: 2,
      message: expect.stringContaining(
        '@acme/addon: native.packages["@acme/addon"].dependencies names "nan", but it is not installed',
      ) as string,
      hint: 'install the dependencies, then build again: pnpm install',
    });
    // As a build helper alone, it is left out and named (native build warns).
    const { dependencies, missing } = await resolveBuildDependencies({
      root,
      packageName: '@acme/addon',
      packageDir: pkg,
    });
    expect(dependencies.map((d) => d.name)).toEqual(['node-addon-api']);
    expect(missing).toEqual(['nan']);
  });

  it("puts the dependencies' files in the plan and the build key: another node-addon-api version is another key", async () => {
    const { root, pkg } = workspace({ devDependencies: { 'node-addon-api': '8.1.0' } });
    link(pkg, 'node-addon-api', storePackage(root, 'node-addon-api', '8.1.0', { 'napi.h': '// 8.1.0' }));
    const config: DevkitConfig = {
      native: { packages: { '@acme/addon': { build: 'node-gyp rebuild', outputs: ['build/Release/*.node'] } } },
    };
    const plan = async () => (await planNativeBuilds({ root, config, env: {}, targets: ['linux-x64-gnu'] }))[0]!;
    const before = await plan();
    expect(before.dependencies.map((d) => `${d.name}@${d.version}`)).toEqual(['node-addon-api@8.1.0']);
    expect(before.files.map((f) => f.name)).toEqual([
      'addon.cc',
      'package.json',
      'node_modules/node-addon-api/napi.h',
      'node_modules/node-addon-api/package.json',
    ]);
    const key = buildKey(before, 'sha256:1', '0.1.0');
    expect(buildKey(await plan(), 'sha256:1', '0.1.0')).toBe(key);

    // pnpm add node-addon-api@8.2.0: a new store folder, the link moved to it.
    const newer = storePackage(root, 'node-addon-api', '8.2.0', { 'napi.h': '// 8.2.0' });
    const at = join(pkg, 'node_modules/node-addon-api');
    symlinkSync(newer, `${at}.new`, 'dir');
    renameSync(`${at}.new`, at);
    const after = await plan();
    expect(after.dependencies.map((d) => `${d.name}@${d.version}`)).toEqual(['node-addon-api@8.2.0']);
    expect(buildKey(after, 'sha256:1', '0.1.0')).not.toBe(key);
  });
});
