import { describe, expect, it } from 'vitest';
import { checkLockfile } from './check-lockfile.js';
import { loadPnpmSettings } from './load-settings.js';
import { KNOWN_PNPM_MAJORS, pnpmRules } from './pnpm-major.js';
import { parseLockfile } from './parse-lockfile.js';
import type { LockfileCheckInput, ProjectManifest } from './types.js';

/*
 * One test per rule that differs between pnpm majors. The expected hashes and the recorded
 * shapes are what the real pnpm 9.15.9, 10.34.9, 11.28.13 and 12.23.0 wrote for the same repo
 * (see PNPM-MAJORS.md).
 */

const reader = (files: Record<string, string>) => async (path: string) => files[path];

const PATCH =
  'diff --git a/index.js b/index.js\r\nindex 1..2 100644\n--- a/index.js\n+++ b/index.js\n@@ -1 +1 @@\n-x\n+y\n';
const PNPMFILE = 'module.exports = { hooks: { readPackage(p) { return p } } }\r\n';
const EXTENSIONS = {
  'ms@2': { peerDependenciesMeta: { z: { optional: true } }, dependencies: { 'is-number': '^7.0.0' } },
};

const LOCK_HEAD = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false
`;
const LOCK_BODY = `
importers:

  .:
    dependencies:
      ms:
        specifier: ^2.0.0
        version: 2.1.2

packages:

  ms@2.1.2:
    resolution: {integrity: sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==}

snapshots:

  ms@2.1.2: {}
`;

async function check(
  major: number,
  files: Record<string, string>,
  rootManifest: ProjectManifest,
  lockText: string,
): Promise<LockfileCheckInput & { codes: string[]; messages: string[] }> {
  const rules = pnpmRules(major);
  const all = { 'package.json': JSON.stringify(rootManifest), ...files };
  const ws = files['pnpm-workspace.yaml'];
  const { default: yaml } = await import('js-yaml');
  const settings = await loadPnpmSettings(reader(all), {
    rootManifest,
    workspaceManifest: ws === undefined ? undefined : (yaml.load(ws) as Record<string, unknown>),
    rules,
  });
  const input: LockfileCheckInput = {
    lockfile: parseLockfile(lockText, 'pnpm-lock.yaml', { pnpmMajor: major }),
    projects: [{ id: '.', manifestFile: 'package.json', manifest: rootManifest }],
    settings,
    pnpm: { major, source: 'test' },
  };
  const findings = checkLockfile(input);
  return { ...input, codes: findings.map((f) => f.code), messages: findings.map((f) => f.message) };
}

const ROOT = { name: 'root', version: '1.0.0', dependencies: { ms: '^2.0.0' } };

describe('pnpmRules', () => {
  it('knows pnpm 9 to 12 and names them for a major it does not know (exit 3)', () => {
    expect([...KNOWN_PNPM_MAJORS]).toEqual([9, 10, 11, 12]);
    for (const major of KNOWN_PNPM_MAJORS) expect(pnpmRules(major).major).toBe(major);
    let error: unknown;
    try {
      pnpmRules(8, 'package.json packageManager');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'E_PNPM_MAJOR_UNKNOWN', exitCode: 3 });
    expect((error as Error).message).toBe(
      'package.json packageManager asks for pnpm 8; devkit judges lockfiles for pnpm 9, 10, 11, 12 only',
    );
  });

  it('names the judging pnpm major in the lockfile version error', () => {
    expect(() => parseLockfile(`lockfileVersion: '6.0'\n`, 'pnpm-lock.yaml', { pnpmMajor: 11 })).toThrow(
      /pnpm 11 reads lockfile version 9\.x only/,
    );
    try {
      parseLockfile(`lockfileVersion: '10.0'\n`, 'pnpm-lock.yaml', { pnpmMajor: 12 });
    } catch (error) {
      expect((error as { hint?: string }).hint).toContain('regenerate it with pnpm 12');
    }
  });
});

describe('where each major reads overrides from', () => {
  // the override of ms is applied to the project, so the importer records its specifier
  const lockWith = (overrides: string) =>
    `${LOCK_HEAD}\noverrides:\n${overrides}\n${LOCK_BODY.replace('specifier: ^2.0.0', 'specifier: 2.1.2')}`;
  const manifest = { ...ROOT, pnpm: { overrides: { ms: '2.1.2' } }, resolutions: { 'is-number': '7.0.0' } };

  it('pnpm 9 and 10 read the root package.json (pnpm.overrides and resolutions)', async () => {
    const lock = lockWith('  is-number: 7.0.0\n  ms: 2.1.2\n');
    expect((await check(9, {}, manifest, lock)).codes).toEqual([]);
    expect((await check(10, {}, manifest, lock)).codes).toEqual([]);
  });

  it('pnpm 11 and 12 ignore package.json and read pnpm-workspace.yaml only', async () => {
    // what pnpm 11 wrote for this repo: the workspace's override, none of package.json's
    const files = { 'pnpm-workspace.yaml': 'packages: ["."]\noverrides:\n  ms: 2.1.2\n' };
    const lock = lockWith('  ms: 2.1.2\n');
    expect((await check(11, files, manifest, lock)).codes).toEqual([]);
    expect((await check(12, files, manifest, lock)).codes).toEqual([]);
    // the same repo judged by pnpm 10 rules: package.json's overrides replace the workspace's
    expect((await check(10, files, manifest, lock)).codes).toEqual(['OVERRIDES_CHANGED']);
    // a lockfile written from package.json's overrides is outdated for pnpm 11, and the finding says why
    const fromManifest = await check(11, {}, manifest, lockWith('  is-number: 7.0.0\n  ms: 2.1.2\n'));
    expect(fromManifest.codes).toEqual(['OVERRIDES_CHANGED', 'OVERRIDES_CHANGED', 'SPECIFIER_CHANGED']);
    expect(fromManifest.messages[0]).toContain(
      'pnpm 11 reads overrides only from pnpm-workspace.yaml; package.json sets it, which pnpm 11 ignores',
    );
  });

  it('pnpm 9 ignores pnpm-workspace.yaml overrides', async () => {
    const files = { 'pnpm-workspace.yaml': 'packages: ["."]\noverrides:\n  ms: 2.1.2\n' };
    const lock = `${LOCK_HEAD}${LOCK_BODY}`;
    expect((await check(9, files, ROOT, lock)).codes).toEqual([]);
    expect((await check(10, files, ROOT, lock)).codes).toEqual(['OVERRIDES_CHANGED', 'SPECIFIER_CHANGED']);
  });
});

describe('where each major reads the peer and link settings from', () => {
  const files = {
    'pnpm-workspace.yaml':
      'packages: ["."]\nautoInstallPeers: false\ndedupePeers: true\ninjectWorkspacePackages: true\n',
    '.npmrc': 'exclude-links-from-lockfile=true\n',
  };

  it('pnpm 9 reads .npmrc only and does not record dedupePeers or injectWorkspacePackages', async () => {
    // what pnpm 9 wrote for this repo
    const lock = `lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: true\n${LOCK_BODY}`;
    expect((await check(9, files, ROOT, lock)).codes).toEqual([]);
  });

  it('pnpm 10 reads pnpm-workspace.yaml over .npmrc', async () => {
    const lock = `lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: false\n  dedupePeers: true\n  excludeLinksFromLockfile: true\n  injectWorkspacePackages: true\n${LOCK_BODY}`;
    expect((await check(10, files, ROOT, lock)).codes).toEqual([]);
  });

  it('pnpm 11 and 12 ignore .npmrc, and say so', async () => {
    const lock = `lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: false\n  dedupePeers: true\n  excludeLinksFromLockfile: false\n  injectWorkspacePackages: true\n${LOCK_BODY}`;
    expect((await check(11, files, ROOT, lock)).codes).toEqual([]);
    expect((await check(12, files, ROOT, lock)).codes).toEqual([]);
    const pnpm10Lock = lock.replace('excludeLinksFromLockfile: false', 'excludeLinksFromLockfile: true');
    const judged = await check(11, files, ROOT, pnpm10Lock);
    expect(judged.codes).toEqual(['SETTING_CHANGED']);
    expect(judged.messages[0]).toContain(
      'pnpm 11 reads excludeLinksFromLockfile only from pnpm-workspace.yaml; .npmrc sets it, which pnpm 11 ignores',
    );
  });
});

describe('patches, packageExtensions and pnpmfile hashes per major', () => {
  it('pnpm 9 hashes with md5 in base32, pnpm 10 with sha256 hex as {hash, path}', async () => {
    const files = { 'patches/ms@2.1.3.patch': PATCH, '.pnpmfile.cjs': PNPMFILE };
    const s9 = await loadPnpmSettings(reader(files), {
      rootManifest: {
        pnpm: { patchedDependencies: { 'ms@2.1.3': 'patches/ms@2.1.3.patch' }, packageExtensions: EXTENSIONS },
      },
      workspaceManifest: undefined,
      rules: pnpmRules(9),
    });
    expect(s9.patchedDependencies.value['ms@2.1.3']).toEqual({
      hash: 'k43fwu3t64glccwegoa76yrywq',
      path: 'patches/ms@2.1.3.patch',
    });
    expect(s9.packageExtensionsChecksum).toBe('3735d81cb3e6c1f24e89d4b2b5d32c2d');
    expect(s9.pnpmfileChecksum.value).toBe('rle2zay54xeslj5bv5fszf37xu');
    for (const major of [10, 11, 12]) {
      const s = await loadPnpmSettings(reader(files), {
        rootManifest: {},
        workspaceManifest: {
          patchedDependencies: { 'ms@2.1.3': 'patches/ms@2.1.3.patch' },
          packageExtensions: EXTENSIONS,
        },
        rules: pnpmRules(major),
      });
      expect(s.patchedDependencies.value['ms@2.1.3']?.hash).toBe(
        '937c94598e09ce7fbcbbd5bc2f6144304d536baa4391a1526c3500887a519570',
      );
      expect(s.packageExtensionsChecksum).toBe('sha256-2b/ekyeqGpuKM1qiolYV/77z9W5KpmolyF8bj6FnqCA=');
      expect(s.pnpmfileChecksum.value).toBe('sha256-PVj+MyFqYFzSD0ZbemT5/CG520ew469gbogcyN23Pwk=');
    }
  });

  it('pnpm 11 records the patch hash alone and still reads a {hash, path} record; pnpm 10 does not read the hash alone', async () => {
    const hash = '937c94598e09ce7fbcbbd5bc2f6144304d536baa4391a1526c3500887a519570';
    const files = {
      'patches/ms@2.1.3.patch': PATCH,
      'pnpm-workspace.yaml': 'packages: ["."]\npatchedDependencies:\n  ms@2.1.3: patches/ms@2.1.3.patch\n',
    };
    const hashOnly = `${LOCK_HEAD}\npatchedDependencies:\n  ms@2.1.3: ${hash}\n${LOCK_BODY}`;
    const hashAndPath = `${LOCK_HEAD}\npatchedDependencies:\n  ms@2.1.3:\n    hash: ${hash}\n    path: patches/ms@2.1.3.patch\n${LOCK_BODY}`;
    expect((await check(11, files, ROOT, hashOnly)).codes).toEqual([]);
    expect((await check(12, files, ROOT, hashAndPath)).codes).toEqual([]);
    expect((await check(10, files, ROOT, hashAndPath)).codes).toEqual([]);
    expect((await check(10, files, ROOT, hashOnly)).codes).toEqual(['PATCHES_CHANGED']);
    const edited = { ...files, 'patches/ms@2.1.3.patch': `${PATCH}+z\n` };
    expect((await check(11, edited, ROOT, hashOnly)).codes).toEqual(['PATCHES_CHANGED']);
  });

  it('pnpm 11 loads .pnpmfile.mjs before .pnpmfile.cjs; pnpm 10 knows only .pnpmfile.cjs', async () => {
    const files = { '.pnpmfile.mjs': 'export const hooks = {}\n' };
    const s10 = await loadPnpmSettings(reader(files), {
      rootManifest: {},
      workspaceManifest: {},
      rules: pnpmRules(10),
    });
    const s11 = await loadPnpmSettings(reader(files), {
      rootManifest: {},
      workspaceManifest: {},
      rules: pnpmRules(11),
    });
    expect(s10.pnpmfileChecksum.value).toBeUndefined();
    expect(s11.pnpmfileChecksum).toMatchObject({ value: expect.stringMatching(/^sha256-/), file: '.pnpmfile.mjs' });
  });
});

describe('runtime dependencies, catalogs and config dependencies per major', () => {
  const RUNTIME_BODY = LOCK_BODY.replace(
    'snapshots:\n',
    '  node@runtime:24.0.0:\n    resolution: {type: variations, variants: []}\n\nsnapshots:\n\n  node@runtime:24.0.0: {}\n',
  );
  const runtimeLock = (fields: string) =>
    `${LOCK_HEAD}${RUNTIME_BODY.replace('        version: 2.1.2\n', `        version: 2.1.2\n${fields}`)}`;

  it('devEngines.runtime with onFail download is a devDependency from pnpm 10 on, engines.runtime a dependency from pnpm 11 on', async () => {
    const manifest = {
      ...ROOT,
      devEngines: { runtime: { name: 'node', version: '24.0.0', onFail: 'download' } },
    };
    const lock = `${LOCK_HEAD}${RUNTIME_BODY.replace(
      'packages:',
      '    devDependencies:\n      node:\n        specifier: runtime:24.0.0\n        version: runtime:24.0.0\n\npackages:',
    )}`;
    expect((await check(10, {}, manifest, lock)).codes).toEqual([]);
    expect((await check(11, {}, manifest, lock)).codes).toEqual([]);
    expect((await check(9, {}, manifest, lock)).codes).toContain('DEPENDENCY_REMOVED');
    const engines = { ...ROOT, engines: { runtime: { name: 'node', version: '24.0.0', onFail: 'download' } } };
    const depLock = runtimeLock('      node:\n        specifier: runtime:24.0.0\n        version: runtime:24.0.0\n');
    expect((await check(12, {}, engines, depLock)).codes).toEqual([]);
    expect((await check(10, {}, engines, depLock)).codes).toContain('DEPENDENCY_REMOVED');
  });

  it('pnpm 11 matches a git specifier spelled another way; pnpm 10 does not', async () => {
    const files = { 'pnpm-workspace.yaml': 'packages: ["."]\ncatalog:\n  foo: github:acme/foo#v1\n' };
    const lock = `${LOCK_HEAD}\ncatalogs:\n  default:\n    foo:\n      specifier: git+https://github.com/acme/foo.git#v1\n      version: 1.0.0\n${LOCK_BODY}`;
    expect((await check(11, files, ROOT, lock)).codes).toEqual([]);
    expect((await check(10, files, ROOT, lock)).codes).toEqual(['CATALOG_CHANGED']);
  });

  it('pnpm 11 wants pnpm-workspace.yaml configDependencies in the env document', async () => {
    const files = { 'pnpm-workspace.yaml': 'packages: ["."]\nconfigDependencies:\n  "@acme/cfg": 1.2.0\n' };
    const env = `---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies:\n      '@acme/cfg':\n        specifier: 1.2.0\n        version: 1.2.0\n\npackages:\n\n  '@acme/cfg@1.2.0':\n    resolution: {integrity: sha512-x}\n\nsnapshots:\n\n  '@acme/cfg@1.2.0': {}\n---\n`;
    expect((await check(11, files, ROOT, `${env}${LOCK_HEAD}${LOCK_BODY}`)).codes).toEqual([]);
    const missing = await check(11, files, ROOT, `${LOCK_HEAD}${LOCK_BODY}`);
    expect(missing.codes).toEqual(['CONFIG_DEPENDENCIES_CHANGED']);
    const bumped = { 'pnpm-workspace.yaml': files['pnpm-workspace.yaml'].replace('1.2.0', '1.3.0') };
    expect((await check(12, bumped, ROOT, `${env}${LOCK_HEAD}${LOCK_BODY}`)).codes).toEqual([
      'CONFIG_DEPENDENCIES_CHANGED',
    ]);
    expect((await check(10, files, ROOT, `${LOCK_HEAD}${LOCK_BODY}`)).codes).toEqual([]);
    const removed = await check(
      11,
      { 'pnpm-workspace.yaml': 'packages: ["."]\n' },
      ROOT,
      `${env}${LOCK_HEAD}${LOCK_BODY}`,
    );
    expect(removed.codes).toEqual(['CONFIG_DEPENDENCIES_CHANGED']);
    expect(removed.messages[0]).toContain('which pnpm-workspace.yaml no longer lists');
  });
});

describe('what pnpm 9 does not judge', () => {
  it('pnpm 9 neither compares catalogs nor checks locked versions, and reads 6.x lockfiles', async () => {
    const files = { 'pnpm-workspace.yaml': 'packages: ["."]\ncatalog:\n  ms: ^2.1.0\n' };
    const catalogLock = `${LOCK_HEAD}\ncatalogs:\n  default:\n    ms:\n      specifier: ^2.0.0\n      version: 2.1.2\n${LOCK_BODY}`;
    expect((await check(9, files, ROOT, catalogLock)).codes).toEqual([]);
    expect((await check(10, files, ROOT, catalogLock)).codes).toEqual(['CATALOG_CHANGED']);
    const outOfRange = `${LOCK_HEAD}${LOCK_BODY.replace('specifier: ^2.0.0', 'specifier: ^3.0.0')}`;
    const manifest = { ...ROOT, dependencies: { ms: '^3.0.0' } };
    expect((await check(9, {}, manifest, outOfRange)).codes).toEqual([]);
    expect((await check(10, {}, manifest, outOfRange)).codes).toEqual(['VERSION_OUT_OF_RANGE']);
    const v6 = `${LOCK_HEAD.replace("'9.0'", "'6.0'")}${LOCK_BODY}`;
    expect((await check(9, {}, ROOT, v6)).codes).toEqual([]);
    await expect(check(10, {}, ROOT, v6)).rejects.toMatchObject({ code: 'E_LOCKFILE_VERSION' });
  });

  it('pnpm 9 rejects a lockfile with an env document, which pnpm 10 and later read', async () => {
    const withEnv = `---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies: {}\n---\n${LOCK_HEAD}${LOCK_BODY}`;
    await expect(check(9, {}, ROOT, withEnv)).rejects.toMatchObject({
      code: 'E_LOCKFILE_PARSE',
      message: expect.stringContaining('pnpm 9 reads one document only'),
    });
    expect((await check(10, {}, ROOT, withEnv)).codes).toEqual([]);
  });
});

describe('the pnpm pin in the env document (pnpm 11 and 12)', () => {
  const env = (version: string) =>
    `---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies: {}\n    packageManagerDependencies:\n      pnpm:\n        specifier: ${version}\n        version: ${version}\n\npackages:\n\n  pnpm@${version}:\n    resolution: {integrity: sha512-x}\n\nsnapshots:\n\n  pnpm@${version}: {}\n---\n`;
  const lock = `${LOCK_HEAD}${LOCK_BODY}`;

  it('an exact packageManager pin of pnpm 12 must be recorded, unless pmOnFail is ignore', async () => {
    const pinned = { ...ROOT, packageManager: 'pnpm@12.23.0' };
    expect((await check(12, {}, pinned, `${env('12.23.0')}${lock}`)).codes).toEqual([]);
    const missing = await check(12, {}, pinned, lock);
    expect(missing.codes).toEqual(['PACKAGE_MANAGER_PIN_CHANGED']);
    expect(missing.messages[0]).toContain('package.json packageManager pins pnpm 12.23.0');
    expect((await check(12, {}, pinned, `${env('12.22.0')}${lock}`)).codes).toEqual(['PACKAGE_MANAGER_PIN_CHANGED']);
    const ignored = { 'pnpm-workspace.yaml': 'packages: ["."]\npmOnFail: ignore\n' };
    expect((await check(12, ignored, pinned, lock)).codes).toEqual([]);
    // pnpm 11 does not record an exact packageManager pin of pnpm 11
    expect((await check(11, {}, { ...ROOT, packageManager: 'pnpm@11.28.13' }, lock)).codes).toEqual([]);
  });

  it('a devEngines.packageManager pin is recorded from pnpm 11 on, unless its onFail is ignore', async () => {
    const pin = (onFail?: string) => ({
      ...ROOT,
      devEngines: { packageManager: { name: 'pnpm', version: '11.28.13', ...(onFail ? { onFail } : {}) } },
    });
    expect((await check(11, {}, pin(), lock)).codes).toEqual(['PACKAGE_MANAGER_PIN_CHANGED']);
    expect((await check(11, {}, pin(), `${env('11.28.13')}${lock}`)).codes).toEqual([]);
    expect((await check(11, {}, pin('ignore'), lock)).codes).toEqual([]);
    expect((await check(10, {}, pin(), lock)).codes).toEqual([]);
  });
});

describe('what pnpm 11 and 12 let pass', () => {
  const lock = `${LOCK_HEAD}${LOCK_BODY}`;

  it('an optional dependency the lockfile does not list is left out, not drift', async () => {
    const added = { ...ROOT, optionalDependencies: { 'is-number': '^7.0.0' } };
    expect((await check(11, {}, added, lock)).codes).toEqual([]);
    expect((await check(12, {}, added, lock)).codes).toEqual([]);
    expect((await check(10, {}, added, lock)).codes).toContain('DEPENDENCY_ADDED');
    // a locked optional dependency whose range changed still is drift
    const locked = lock.replace(
      'packages:',
      '    optionalDependencies:\n      is-number:\n        specifier: ^7.0.0\n        version: 7.0.0\n\npackages:',
    );
    const changed = { ...ROOT, optionalDependencies: { 'is-number': '^7.0.1' } };
    expect((await check(11, {}, changed, locked)).codes).toContain('SPECIFIER_CHANGED');
  });

  it('a dependency field written as null reads as absent', async () => {
    const { inspectRepo } = await import('./inspect-repo.js');
    const files = {
      'pnpm-lock.yaml': lock,
      'package.json': JSON.stringify({ ...ROOT, devDependencies: null }),
    };
    const options = (major: number) => ({
      root: '/repo',
      readFile: reader(files),
      findManifests: async () => ['package.json'],
      pnpm: { major, source: 'test' },
    });
    expect(checkLockfile(await inspectRepo(options(11)))).toEqual([]);
    await expect(inspectRepo(options(10))).rejects.toMatchObject({ code: 'E_MANIFEST_INVALID' });
  });
});

describe('settings a pnpmfile or a pnpm plugin can change at run time', () => {
  const catalogLock = `${LOCK_HEAD}\ncatalogs:\n  default:\n    ms:\n      specifier: ^2.0.0\n      version: 2.1.2\n${LOCK_BODY}`;
  const UPDATE_CONFIG =
    'module.exports = { hooks: { updateConfig(config) { (config.catalogs ??= {}).default = { ms: "^2.0.0" }; return config } } }\n';

  it('a catalog the lockfile records but no file sets is taken to come from an updateConfig hook', async () => {
    const lock = catalogLock.replace(LOCK_BODY, `\npnpmfileChecksum: ${'x'}\n${LOCK_BODY}`);
    const files = { '.pnpmfile.cjs': UPDATE_CONFIG };
    const judged = await check(11, files, ROOT, lock);
    expect(judged.codes).toEqual(['PNPMFILE_CHANGED']);
    // without the hook, the same catalog entry is reported as removed
    expect((await check(11, {}, ROOT, catalogLock)).codes).toEqual(['CATALOG_CHANGED']);
    // and a catalog entry the files do set is still compared
    const set = { ...files, 'pnpm-workspace.yaml': 'packages: ["."]\ncatalog:\n  ms: ^2.1.0\n' };
    expect((await check(11, set, ROOT, lock)).codes).toContain('CATALOG_CHANGED');
  });

  it("a pnpm plugin's pnpmfile is part of the checksum; when it is not installed, the checksum is not judged", async () => {
    const files = {
      'pnpm-workspace.yaml': 'packages: ["."]\nconfigDependencies:\n  "@acme/pnpm-plugin-catalogs": 1.0.0\n',
      'node_modules/.pnpm-config/@acme/pnpm-plugin-catalogs/pnpmfile.cjs': UPDATE_CONFIG,
    };
    const rules = pnpmRules(10);
    const settings = await loadPnpmSettings(reader(files), {
      rootManifest: ROOT,
      workspaceManifest: { configDependencies: { '@acme/pnpm-plugin-catalogs': '1.0.0' } },
      rules,
    });
    expect(settings.pnpmfileChecksum.file).toBe('node_modules/.pnpm-config/@acme/pnpm-plugin-catalogs/pnpmfile.cjs');
    expect(settings.unjudged?.config).toContain('updateConfig');
    const lock = catalogLock.replace(LOCK_BODY, `\npnpmfileChecksum: ${settings.pnpmfileChecksum.value}\n${LOCK_BODY}`);
    expect((await check(10, files, ROOT, lock)).codes).toEqual([]);
    // a checkout (or the git index) without node_modules cannot read the plugin
    const { 'node_modules/.pnpm-config/@acme/pnpm-plugin-catalogs/pnpmfile.cjs': _plugin, ...committed } = files;
    expect((await check(10, committed, ROOT, lock)).codes).toEqual([]);
    // a config dependency that is no plugin loads no pnpmfile
    const plain = { 'pnpm-workspace.yaml': 'packages: ["."]\nconfigDependencies:\n  "@acme/settings": 1.0.0\n' };
    expect((await check(10, plain, ROOT, lock)).codes).toEqual(['CATALOG_CHANGED', 'PNPMFILE_CHANGED']);
  });
});

describe('registries per major', () => {
  it('pnpm 11 takes registries from pnpm-workspace.yaml over .npmrc; pnpm 10 from .npmrc only', async () => {
    const files = { '.npmrc': 'registry=https://npm.acme.dev/\n' };
    const workspaceManifest = {
      registries: { default: 'https://npm.corp.dev', '@acme': 'https://npm.acme.dev/scoped/' },
    };
    const s11 = await loadPnpmSettings(reader(files), { rootManifest: {}, workspaceManifest, rules: pnpmRules(11) });
    expect(s11.registries).toEqual({
      value: {
        default: 'https://npm.corp.dev/',
        '@jsr': 'https://npm.jsr.io/',
        '@acme': 'https://npm.acme.dev/scoped/',
      },
      file: 'pnpm-workspace.yaml',
    });
    const s10 = await loadPnpmSettings(reader(files), { rootManifest: {}, workspaceManifest, rules: pnpmRules(10) });
    expect(s10.registries.value.default).toBe('https://npm.acme.dev/');
  });
});

describe('git specifiers of a project (pnpm 11 and 12)', () => {
  it('a dependency spelled github:a/b in package.json matches the lockfile’s git+https form from pnpm 11 on', async () => {
    const { checkImporter } = await import('./check-importers.js');
    const project = { id: '.', manifestFile: 'package.json', manifest: {} };
    const manifest = { dependencies: { foo: 'github:acme/foo#v1' } };
    const importer = {
      specifiers: { foo: 'git+https://github.com/acme/foo.git#v1' },
      dependencies: { foo: 'https://codeload.github.com/acme/foo/tar.gz/0123456789abcdef0123456789abcdef01234567' },
    };
    const options = { autoInstallPeers: true, excludeLinksFromLockfile: false };
    expect(checkImporter(project, manifest, importer, { ...options, gitSpecifierEquivalence: true })).toEqual([]);
    expect(checkImporter(project, manifest, importer, options).map((f) => f.code)).toEqual(['SPECIFIER_CHANGED']);
    const otherRef = { dependencies: { foo: 'github:acme/foo#v2' } };
    expect(
      checkImporter(project, otherRef, importer, { ...options, gitSpecifierEquivalence: true }).map((f) => f.code),
    ).toEqual(['SPECIFIER_CHANGED']);
  });
});
