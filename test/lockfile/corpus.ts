import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_FILES, editJson, editText, writeTree, type LooseJson } from './workspace.js';

/**
 * Mutations of the oracle workspace (see BASE_FILES). Each is applied to a fresh copy; pnpm's
 * frozen install decides the verdict, and devkit must agree. The cases cover every dependency
 * kind, workspace: and catalog: specifiers, importers added and removed, overrides, patches,
 * packageExtensions, ignoredOptionalDependencies, the peer and link settings (from
 * pnpm-workspace.yaml and from .npmrc), the pnpmfile, publishDirectory, dependenciesMeta and
 * hand edits of the lockfile. Some are changes pnpm accepts, on purpose.
 *
 * Each case runs under the real pnpm of each major (see ORACLE_PNPM_VERSIONS), so the same edit
 * can be drift for one major and nothing for another: where settings are read from (package.json
 * "pnpm", pnpm-workspace.yaml, .npmrc), how patches are hashed and recorded, catalogs and
 * catalogMode, build permissions, the Node runtime as a dependency, the lockfile's settings and
 * the env document that records the packageManager pin.
 */
export interface OracleCase {
  name: string;
  /** The pnpm majors the case means something for; every major when absent. */
  majors?: readonly PnpmMajor[];
  /**
   * Runs under every major. The other cases run under the reference major only (pnpm 10, the
   * major the corpus was first written against), which keeps the four majors within the file's
   * time budget; DEVKIT_ORACLE_FULL=1 runs every case under every major.
   */
  core?: boolean;
  /**
   * Changes settings and has pnpm rewrite the lockfile for them (offline, from the primed
   * store) before `mutate`: how a case starts from a lockfile made under other settings.
   */
  relock?: (dir: string, context: OracleContext) => void;
  mutate(dir: string, context: OracleContext): void;
}

/** The exact pnpm of each major the oracle runs (the newest of each on the npm registry). */
export const ORACLE_PNPM_VERSIONS = ['9.15.9', '10.34.9', '11.28.13', '12.23.0'] as const;
export type PnpmMajor = 9 | 10 | 11 | 12;

/** The pnpm a case runs under. */
export interface OracleContext {
  major: PnpmMajor;
  version: string;
}

export const REFERENCE_MAJOR: PnpmMajor = 10;

export function casesFor(major: PnpmMajor, full = false): OracleCase[] {
  return ORACLE_CASES.filter(
    (c) => (!c.majors || c.majors.includes(major)) && (full || c.core || c.majors || major === REFERENCE_MAJOR),
  );
}

/**
 * The base workspace as pnpm `version` primes it: pinned to that pnpm (so devkit picks its
 * major's rules). From pnpm 12 an exact `packageManager` pin must also be recorded in the
 * lockfile's env document, with pnpm's executables for every platform resolved from the
 * registry; the registry this runs against lacks most of them, so the base turns the recording
 * off (`pmOnFail: ignore`) and a pnpm 12 case turns it back on.
 */
export function baseFiles(context: OracleContext): Record<string, string | object> {
  const rootManifest = BASE_FILES['package.json'] as LooseJson;
  return {
    ...BASE_FILES,
    'package.json': { ...rootManifest, packageManager: `pnpm@${context.version}` },
    ...(context.major >= 12 && { [ws]: `${BASE_FILES[ws] as string}${PM_ON_FAIL_IGNORE}` }),
  };
}

const api = 'apps/api/package.json';
const web = 'apps/web/package.json';
const shared = 'packages/shared/package.json';
const ws = 'pnpm-workspace.yaml';
const lock = 'pnpm-lock.yaml';
const append = (dir: string, path: string, text: string) => editText(dir, path, (t) => `${t}${text}`);
const PM_ON_FAIL_IGNORE = 'pmOnFail: ignore\n';

// the settings blocks of the base pnpm-workspace.yaml that pnpm 9 reads from package.json only
const WS_OVERRIDES = 'overrides:\n  is-odd>is-number: 6.0.0\n  is-positive: 3.1.0\n';
const WS_PATCHES = 'patchedDependencies:\n  is-positive@3.1.0: patches/is-positive@3.1.0.patch\n';
const WS_EXTENSIONS =
  'packageExtensions:\n  debug:\n    peerDependenciesMeta:\n      supports-color:\n        optional: true\n';

/** Moves the base's overrides, patches and packageExtensions into package.json's `pnpm` field. */
function settingsToPackageJson(dir: string): void {
  editText(dir, ws, (t) => t.replace(WS_OVERRIDES, '').replace(WS_PATCHES, '').replace(WS_EXTENSIONS, ''));
  editJson(
    dir,
    'package.json',
    (p) =>
      (p.pnpm = {
        overrides: { 'is-odd>is-number': '6.0.0', 'is-positive': '3.1.0' },
        patchedDependencies: { 'is-positive@3.1.0': 'patches/is-positive@3.1.0.patch' },
        packageExtensions: { debug: { peerDependenciesMeta: { 'supports-color': { optional: true } } } },
      }),
  );
}

export const ORACLE_CASES: OracleCase[] = [
  { name: 'unchanged workspace', core: true, mutate: () => {} },
  // dependencies
  { name: 'dependency added', core: true, mutate: (d) => editJson(d, api, (p) => (p.dependencies.kleur = '^4.1.5')) },
  { name: 'dependency removed', mutate: (d) => editJson(d, api, (p) => delete p.dependencies.debug) },
  {
    name: 'dependency range changed',
    core: true,
    mutate: (d) => editJson(d, api, (p) => (p.dependencies.debug = '^4.3.0')),
  },
  {
    name: 'dependency range rewritten to an equivalent string',
    core: true,
    mutate: (d) => editJson(d, api, (p) => (p.dependencies.debug = '>=4.3.4 <5.0.0')),
  },
  {
    name: 'exact version pinned instead of a range',
    mutate: (d) => editJson(d, api, (p) => (p.dependencies.debug = '4.4.3')),
  },
  {
    name: 'devDependency added',
    mutate: (d) => editJson(d, shared, (p) => (p.devDependencies = { 'is-number': '^7.0.0' })),
  },
  { name: 'devDependency removed', core: true, mutate: (d) => editJson(d, api, (p) => delete p.devDependencies) },
  {
    name: 'devDependency range changed',
    mutate: (d) => editJson(d, api, (p) => (p.devDependencies['is-number'] = '^7.0.0 || ^6.0.0')),
  },
  {
    name: 'optionalDependency added',
    core: true,
    mutate: (d) => editJson(d, shared, (p) => (p.optionalDependencies = { 'is-odd': '^3.0.1' })),
  },
  { name: 'optionalDependency removed', mutate: (d) => editJson(d, api, (p) => delete p.optionalDependencies) },
  {
    name: 'optionalDependency range changed',
    core: true,
    mutate: (d) => editJson(d, api, (p) => (p.optionalDependencies['is-odd'] = '3.0.1')),
  },
  {
    name: 'dependency moved to devDependencies',
    core: true,
    mutate: (d) =>
      editJson(d, api, (p) => {
        p.devDependencies.debug = p.dependencies.debug;
        delete p.dependencies.debug;
      }),
  },
  {
    name: 'devDependency moved to dependencies',
    mutate: (d) =>
      editJson(d, api, (p) => {
        p.dependencies['is-number'] = p.devDependencies['is-number'];
        delete p.devDependencies;
      }),
  },
  {
    name: 'optionalDependency moved to dependencies',
    mutate: (d) =>
      editJson(d, api, (p) => {
        p.dependencies['is-odd'] = p.optionalDependencies['is-odd'];
        delete p.optionalDependencies;
      }),
  },
  {
    name: 'dependency repeated in devDependencies with the same range',
    mutate: (d) => editJson(d, api, (p) => (p.devDependencies.debug = '^4.3.4')),
  },
  {
    name: 'dependency repeated in devDependencies with another range',
    mutate: (d) => editJson(d, api, (p) => (p.devDependencies.debug = '^4.0.0')),
  },
  {
    name: 'dependency field set to null',
    core: true,
    mutate: (d) => editJson(d, shared, (p) => (p.optionalDependencies = null)),
  },
  {
    name: 'key order of dependencies changed',
    core: true,
    mutate: (d) =>
      editJson(d, api, (p) => (p.dependencies = Object.fromEntries(Object.entries(p.dependencies).reverse()))),
  },
  // peers (autoInstallPeers is on by default)
  {
    name: 'peerDependency added',
    core: true,
    mutate: (d) => editJson(d, shared, (p) => (p.peerDependencies = { react: '^18.0.0' })),
  },
  { name: 'peerDependency removed', mutate: (d) => editJson(d, api, (p) => delete p.peerDependencies) },
  {
    name: 'peerDependency range changed',
    core: true,
    mutate: (d) => editJson(d, api, (p) => (p.peerDependencies.react = '^18.2.0')),
  },
  {
    name: 'peerDependency also added as devDependency',
    mutate: (d) => editJson(d, api, (p) => (p.devDependencies.react = '^18.0.0')),
  },
  // workspace: protocol and projects
  {
    name: 'workspace:* changed to workspace:^',
    core: true,
    mutate: (d) => editJson(d, api, (p) => (p.dependencies['@oracle/shared'] = 'workspace:^')),
  },
  {
    name: 'workspace dependency changed to a plain version',
    mutate: (d) => editJson(d, api, (p) => (p.dependencies['@oracle/shared'] = '1.0.0')),
  },
  {
    name: 'workspace project version bumped',
    core: true,
    mutate: (d) => editJson(d, shared, (p) => (p.version = '1.1.0')),
  },
  { name: 'project renamed (name field)', mutate: (d) => editJson(d, web, (p) => (p.name = '@oracle/website')) },
  {
    name: 'project added without dependencies',
    mutate: (d) => writeTree(d, { 'packages/empty/package.json': { name: '@oracle/empty', version: '1.0.0' } }),
  },
  {
    name: 'project added with dependencies',
    core: true,
    mutate: (d) =>
      writeTree(d, {
        'packages/util/package.json': { name: '@oracle/util', version: '1.0.0', dependencies: { ms: '^2.1.3' } },
      }),
  },
  {
    name: 'project removed (nothing depends on it)',
    core: true,
    mutate: (d) => rmSync(join(d, 'apps/web'), { recursive: true }),
  },
  { name: 'project moved to another folder', mutate: (d) => renameSync(join(d, 'apps/web'), join(d, 'apps/site')) },
  {
    name: 'workspace patterns narrowed to exclude a project',
    mutate: (d) => editText(d, ws, (t) => t.replace('  - apps/*\n', '  - apps/api\n')),
  },
  {
    name: 'new project with dependencies excluded by a negated pattern',
    core: true,
    mutate: (d) => {
      writeTree(d, {
        'packages/util/package.json': { name: '@oracle/util', version: '1.0.0', dependencies: { ms: '^2.1.3' } },
      });
      editText(d, ws, (t) => t.replace('  - packages/*\n', "  - packages/*\n  - '!packages/util'\n"));
    },
  },
  {
    name: 'workspace patterns widened to a ** glob',
    mutate: (d) => editText(d, ws, (t) => t.replace('  - packages/*\n', "  - 'packages/**'\n")),
  },
  {
    name: 'nested project with dependencies found by a ** glob',
    mutate: (d) => {
      writeTree(d, {
        'packages/group/nested/package.json': {
          name: '@oracle/nested',
          version: '1.0.0',
          dependencies: { ms: '^2.1.3' },
        },
      });
      editText(d, ws, (t) => t.replace('  - packages/*\n', "  - 'packages/**'\n"));
    },
  },
  {
    name: 'project with dependencies inside node_modules is not a workspace project',
    mutate: (d) => {
      writeTree(d, {
        'packages/shared/node_modules/stray/package.json': {
          name: 'stray',
          version: '1.0.0',
          dependencies: { ms: '^2.1.3' },
        },
      });
      editText(d, ws, (t) => t.replace('  - packages/*\n', "  - 'packages/**'\n"));
    },
  },
  {
    name: 'link: dependency added',
    core: true,
    mutate: (d) => editJson(d, api, (p) => (p.dependencies['local-thing'] = 'link:../../vendor/thing')),
  },
  // catalogs
  {
    name: 'default catalog entry changed',
    core: true,
    mutate: (d) => editText(d, ws, (t) => t.replace('  ms: ^2.1.3', '  ms: ^2.1.0')),
  },
  {
    name: 'unused catalog entry added',
    core: true,
    mutate: (d) => editText(d, ws, (t) => t.replace('  ms: ^2.1.3\n', '  ms: ^2.1.3\n  kleur: ^4.1.5\n')),
  },
  {
    name: 'used catalog entry removed',
    mutate: (d) => editText(d, ws, (t) => t.replace('  ms: ^2.1.3\n', '  other: ^1.0.0\n')),
  },
  {
    name: 'named catalog entry changed',
    core: true,
    mutate: (d) => editText(d, ws, (t) => t.replace('    left-pad: 1.3.0', '    left-pad: ^1.3.0')),
  },
  {
    name: 'catalog: replaced by the same range in package.json',
    core: true,
    mutate: (d) => editJson(d, api, (p) => (p.dependencies.ms = '^2.1.3')),
  },
  {
    name: 'catalog entry written as a number',
    mutate: (d) => editText(d, ws, (t) => t.replace('    left-pad: 1.3.0', '    left-pad: 1')),
  },
  // overrides
  {
    name: 'override value changed',
    core: true,
    mutate: (d) => editText(d, ws, (t) => t.replace('is-odd>is-number: 6.0.0', 'is-odd>is-number: 6.0.0 || 7.0.0')),
  },
  {
    name: 'override added',
    mutate: (d) => editText(d, ws, (t) => t.replace('overrides:\n', 'overrides:\n  ms: 2.1.2\n')),
  },
  {
    name: 'override removed',
    core: true,
    mutate: (d) => editText(d, ws, (t) => t.replace('  is-odd>is-number: 6.0.0\n', '')),
  },
  {
    name: 'direct dependency range changed under an override that pins it',
    mutate: (d) => editJson(d, 'package.json', (p) => (p.devDependencies['is-positive'] = '^3.0.0')),
  },
  {
    name: 'direct dependency removed under an override',
    mutate: (d) => editJson(d, 'package.json', (p) => delete p.devDependencies),
  },
  {
    name: 'override written as a $reference to the same version',
    mutate: (d) => editText(d, ws, (t) => t.replace('  is-positive: 3.1.0', "  is-positive: '$is-positive'")),
  },
  {
    name: 'overrides moved from pnpm-workspace.yaml to package.json',
    core: true,
    mutate: (d) => {
      editText(d, ws, (t) => t.replace('overrides:\n  is-odd>is-number: 6.0.0\n  is-positive: 3.1.0\n', ''));
      editJson(
        d,
        'package.json',
        (p) => (p.pnpm = { overrides: { 'is-odd>is-number': '6.0.0', 'is-positive': '3.1.0' } }),
      );
    },
  },
  {
    name: 'package.json overrides win over pnpm-workspace.yaml',
    core: true,
    mutate: (d) => editJson(d, 'package.json', (p) => (p.pnpm = { overrides: { ms: '2.1.2' } })),
  },
  {
    name: 'package.json repeats the overrides of pnpm-workspace.yaml',
    mutate: (d) =>
      editJson(
        d,
        'package.json',
        (p) => (p.pnpm = { overrides: { 'is-odd>is-number': '6.0.0', 'is-positive': '3.1.0' } }),
      ),
  },
  {
    name: 'package.json packageExtensions win over pnpm-workspace.yaml',
    mutate: (d) =>
      editJson(
        d,
        'package.json',
        (p) => (p.pnpm = { packageExtensions: { 'left-pad': { peerDependenciesMeta: { foo: { optional: true } } } } }),
      ),
  },
  {
    name: 'overrides replaced by the same resolutions in package.json',
    mutate: (d) => {
      editText(d, ws, (t) => t.replace('overrides:\n  is-odd>is-number: 6.0.0\n  is-positive: 3.1.0\n', ''));
      editJson(d, 'package.json', (p) => (p.resolutions = { 'is-odd>is-number': '6.0.0', 'is-positive': '3.1.0' }));
    },
  },
  {
    name: 'resolutions field added to package.json',
    core: true,
    mutate: (d) => {
      editText(d, ws, (t) => t.replace('overrides:\n  is-odd>is-number: 6.0.0\n  is-positive: 3.1.0\n', ''));
      editJson(
        d,
        'package.json',
        (p) => (p.resolutions = { 'is-odd>is-number': '6.0.0', 'is-positive': '3.1.0', ms: '2.1.2' }),
      );
    },
  },
  // patches, packageExtensions, ignoredOptionalDependencies
  {
    name: 'patch file content changed',
    core: true,
    mutate: (d) =>
      editText(d, 'patches/is-positive@3.1.0.patch', (t) =>
        t.replace('patched by the oracle workspace', 'patched again'),
      ),
  },
  {
    name: 'patch file line endings changed to CRLF',
    core: true,
    mutate: (d) => editText(d, 'patches/is-positive@3.1.0.patch', (t) => t.replaceAll('\n', '\r\n')),
  },
  {
    name: 'patch removed from the configuration',
    mutate: (d) =>
      editText(d, ws, (t) =>
        t.replace('patchedDependencies:\n  is-positive@3.1.0: patches/is-positive@3.1.0.patch\n', ''),
      ),
  },
  {
    name: 'patch file moved',
    core: true,
    mutate: (d) => {
      mkdirSync(join(d, 'patches/npm'));
      renameSync(join(d, 'patches/is-positive@3.1.0.patch'), join(d, 'patches/npm/is-positive.patch'));
      editText(d, ws, (t) => t.replace('patches/is-positive@3.1.0.patch', 'patches/npm/is-positive.patch'));
    },
  },
  {
    name: 'packageExtensions changed',
    core: true,
    mutate: (d) => editText(d, ws, (t) => t.replace('        optional: true', '        optional: false')),
  },
  {
    name: 'packageExtensions rewritten in flow style (same content)',
    mutate: (d) =>
      editText(d, ws, (t) =>
        t.replace(
          'packageExtensions:\n  debug:\n    peerDependenciesMeta:\n      supports-color:\n        optional: true\n',
          'packageExtensions: {debug: {peerDependenciesMeta: {supports-color: {optional: true}}}}\n',
        ),
      ),
  },
  {
    name: 'ignoredOptionalDependencies added',
    core: true,
    mutate: (d) => append(d, ws, 'ignoredOptionalDependencies:\n  - is-odd\n'),
  },
  // settings
  {
    name: 'autoInstallPeers turned off in pnpm-workspace.yaml',
    core: true,
    mutate: (d) => append(d, ws, 'autoInstallPeers: false\n'),
  },
  {
    name: 'auto-install-peers turned off in .npmrc',
    core: true,
    mutate: (d) => writeFileSync(join(d, '.npmrc'), 'auto-install-peers=false\n'),
  },
  {
    name: '.npmrc setting overridden back by pnpm-workspace.yaml',
    mutate: (d) => {
      writeFileSync(join(d, '.npmrc'), 'auto-install-peers=false\n');
      append(d, ws, 'autoInstallPeers: true\n');
    },
  },
  {
    name: '.npmrc boolean written False (pnpm keeps the string)',
    core: true,
    mutate: (d) => writeFileSync(join(d, '.npmrc'), 'auto-install-peers=False\n'),
  },
  {
    name: '.npmrc boolean left empty (a flag turned on)',
    mutate: (d) => writeFileSync(join(d, '.npmrc'), 'auto-install-peers=\n'),
  },
  { name: 'pnpm-workspace.yaml setting left empty (null)', mutate: (d) => append(d, ws, 'autoInstallPeers:\n') },
  { name: 'dedupePeers turned on', mutate: (d) => append(d, ws, 'dedupePeers: true\n') },
  {
    name: 'dedupe-peers turned on in .npmrc',
    core: true,
    mutate: (d) => writeFileSync(join(d, '.npmrc'), 'dedupe-peers=true\n'),
  },
  { name: 'excludeLinksFromLockfile turned on', mutate: (d) => append(d, ws, 'excludeLinksFromLockfile: true\n') },
  {
    name: 'peers-suffix-max-length changed in .npmrc',
    core: true,
    mutate: (d) => writeFileSync(join(d, '.npmrc'), 'peers-suffix-max-length=500\n'),
  },
  {
    name: 'injectWorkspacePackages turned on',
    core: true,
    mutate: (d) => append(d, ws, 'injectWorkspacePackages: true\n'),
  },
  {
    name: 'unrelated settings changed',
    mutate: (d) => {
      append(d, ws, 'shamefullyHoist: true\nsaveExact: true\n');
      writeFileSync(join(d, '.npmrc'), 'save-prefix=~\nstrict-peer-dependencies=false\n');
    },
  },
  // lockfiles made under other settings, then changed
  {
    name: 'autoInstallPeers off: lockfile made for it',
    core: true,
    relock: (d) => append(d, ws, 'autoInstallPeers: false\n'),
    mutate: () => {},
  },
  {
    name: 'autoInstallPeers off: peer range changed',
    core: true,
    relock: (d) => append(d, ws, 'autoInstallPeers: false\n'),
    mutate: (d) => editJson(d, api, (p) => (p.peerDependencies.react = '^18.2.0')),
  },
  {
    name: 'autoInstallPeers off: peer added',
    core: true,
    relock: (d) => append(d, ws, 'autoInstallPeers: false\n'),
    mutate: (d) => editJson(d, shared, (p) => (p.peerDependencies = { react: '*' })),
  },
  {
    name: 'autoInstallPeers off: dependency changed',
    relock: (d) => append(d, ws, 'autoInstallPeers: false\n'),
    mutate: (d) => editJson(d, api, (p) => (p.dependencies.debug = '^4.0.0')),
  },
  {
    name: 'excludeLinksFromLockfile on: lockfile made for it',
    relock: (d) => append(d, ws, 'excludeLinksFromLockfile: true\n'),
    mutate: () => {},
  },
  {
    name: 'excludeLinksFromLockfile on: link: dependency added',
    core: true,
    relock: (d) => append(d, ws, 'excludeLinksFromLockfile: true\n'),
    mutate: (d) => editJson(d, api, (p) => (p.dependencies['local-thing'] = 'link:../../vendor/thing')),
  },
  {
    name: 'ignoredOptionalDependencies: ignored optional dependency changed',
    core: true,
    relock: (d) => append(d, ws, 'ignoredOptionalDependencies:\n  - is-odd\n'),
    mutate: (d) => editJson(d, api, (p) => (p.optionalDependencies['is-odd'] = '^3.0.0')),
  },
  {
    name: 'packageExtensions extending a workspace project: lockfile made for it',
    relock: (d) =>
      editText(d, ws, (t) =>
        t.replace(
          'packageExtensions:\n',
          "packageExtensions:\n  '@oracle/shared@1':\n    dependencies:\n      is-number: ^7.0.0\n",
        ),
      ),
    mutate: () => {},
  },
  {
    name: 'packageExtensions extending a workspace project: project version leaves the range',
    relock: (d) =>
      editText(d, ws, (t) =>
        t.replace(
          'packageExtensions:\n',
          "packageExtensions:\n  '@oracle/shared@1':\n    dependencies:\n      is-number: ^7.0.0\n",
        ),
      ),
    mutate: (d) => editJson(d, shared, (p) => (p.version = '2.0.0')),
  },
  {
    name: 'override scoped to a workspace project as parent: lockfile made for it',
    relock: (d) => editText(d, ws, (t) => t.replace('overrides:\n', "overrides:\n  '@oracle/api>debug': 4.4.3\n")),
    mutate: () => {},
  },
  {
    name: 'override scoped to a workspace project as parent: its range changed',
    core: true,
    relock: (d) => editText(d, ws, (t) => t.replace('overrides:\n', "overrides:\n  '@oracle/api>debug': 4.4.3\n")),
    mutate: (d) => editJson(d, api, (p) => (p.dependencies.debug = '^4.0.0')),
  },
  {
    name: 'override scoped to a workspace project as parent: project renamed',
    relock: (d) => editText(d, ws, (t) => t.replace('overrides:\n', "overrides:\n  '@oracle/api>debug': 4.4.3\n")),
    mutate: (d) => editJson(d, api, (p) => (p.name = '@oracle/backend')),
  },
  {
    name: 'dedupePeers on: lockfile made for it',
    relock: (d) => append(d, ws, 'dedupePeers: true\n'),
    mutate: () => {},
  },
  {
    name: 'injected workspace packages: lockfile made for it',
    relock: (d) => append(d, ws, 'injectWorkspacePackages: true\n'),
    mutate: () => {},
  },
  {
    name: 'injected workspace packages: lockfile made for it, then a dependency of the injected package changed',
    relock: (d) => append(d, ws, 'injectWorkspacePackages: true\n'),
    mutate: (d) => editJson(d, shared, (p) => (p.dependencies['left-pad'] = '^1.3.0')),
  },
  // pnpmfile
  {
    name: '.pnpmfile.cjs with hooks added',
    core: true,
    mutate: (d) =>
      writeFileSync(join(d, '.pnpmfile.cjs'), 'module.exports = { hooks: { readPackage (pkg) { return pkg } } }\n'),
  },
  {
    name: '.pnpmfile.cjs without hooks added',
    core: true,
    mutate: (d) => writeFileSync(join(d, '.pnpmfile.cjs'), 'module.exports = {}\n'),
  },
  // per-importer metadata
  {
    name: 'publishConfig.directory changed',
    core: true,
    mutate: (d) => editJson(d, web, (p) => (p.publishConfig.directory = 'build')),
  },
  { name: 'publishConfig.directory removed', mutate: (d) => editJson(d, web, (p) => delete p.publishConfig) },
  { name: 'dependenciesMeta removed', mutate: (d) => editJson(d, web, (p) => delete p.dependenciesMeta) },
  // hand edits of the lockfile
  {
    name: 'lockfile specifier edited by hand',
    mutate: (d) =>
      editText(d, lock, (t) =>
        t.replace('      debug:\n        specifier: ^4.3.4\n', '      debug:\n        specifier: ^4.3.5\n'),
      ),
  },
  {
    name: 'lockfile version edited out of the range',
    core: true,
    mutate: (d) =>
      editText(d, lock, (t) =>
        t.replace(/( {6}is-number:\n {8}specifier: \^7\.0\.0\n {8}version: )7\.0\.0/, '$16.0.0'),
      ),
  },
  {
    name: 'lockfile importer pointing at a version it has no snapshot of',
    mutate: (d) =>
      editText(d, lock, (t) => t.replace(/( {6}debug:\n {8}specifier: \^4\.3\.4\n {8}version: )4\.4\.3/, '$14.3.5')),
  },
  {
    name: 'lockfile snapshot of a transitive dependency deleted',
    core: true,
    mutate: (d) => editText(d, lock, (t) => t.replace(/\n {2}ms@2\.1\.3: \{\}\n/, '\n')),
  },
  {
    name: 'lockfile packages entry deleted (snapshot kept)',
    mutate: (d) =>
      editText(d, lock, (t) => t.replace(/\n {2}left-pad@1\.3\.0:\n {4}resolution: [^\n]*\n(?: {4}[^\n]*\n)*/, '\n')),
  },
  {
    name: 'lockfile importer of a removed project pointing nowhere',
    mutate: (d) => {
      rmSync(join(d, 'apps/web'), { recursive: true });
      editText(d, lock, (t) => t.replace('version: 1.2.0(react@18.3.1)', 'version: 1.2.9(react@18.3.1)'));
    },
  },
  {
    name: 'lockfile snapshot nothing refers to, pointing nowhere',
    core: true,
    mutate: (d) =>
      editText(d, lock, (t) => `${t.trimEnd()}\n\n  zzz-orphan@1.0.0:\n    dependencies:\n      not-there: 9.9.9\n`),
  },
  {
    name: 'lockfile written by pnpm 8 (version 6.0)',
    core: true,
    mutate: (d) => editText(d, lock, (t) => t.replace("lockfileVersion: '9.0'", "lockfileVersion: '6.0'")),
  },
  {
    name: 'lockfile version unquoted (YAML reads 9.0 as the number 9)',
    mutate: (d) => editText(d, lock, (t) => t.replace("lockfileVersion: '9.0'", 'lockfileVersion: 9.0')),
  },
  {
    name: 'lockfile minor version 9.1',
    core: true,
    mutate: (d) => editText(d, lock, (t) => t.replace("lockfileVersion: '9.0'", "lockfileVersion: '9.1'")),
  },
  {
    name: 'lockfile truncated mid-flow-mapping',
    core: true,
    mutate: (d) => editText(d, lock, (t) => `${t.slice(0, t.indexOf('resolution: {') + 20)}\n`),
  },

  // where each major reads settings from: pnpm 9 reads overrides, patches and packageExtensions
  // only from package.json "pnpm"; later majors read pnpm-workspace.yaml
  {
    name: 'settings in package.json "pnpm": lockfile made for them',
    core: true,
    relock: settingsToPackageJson,
    mutate: () => {},
  },
  {
    name: 'settings in package.json "pnpm": override value changed',
    core: true,
    relock: settingsToPackageJson,
    mutate: (d) => editJson(d, 'package.json', (p) => (p.pnpm.overrides['is-odd>is-number'] = '6.0.0 || 7.0.0')),
  },
  {
    name: 'settings in package.json "pnpm": override added',
    core: true,
    relock: settingsToPackageJson,
    mutate: (d) => editJson(d, 'package.json', (p) => (p.pnpm.overrides.ms = '2.1.2')),
  },
  {
    name: 'settings in package.json "pnpm": patch file content changed',
    core: true,
    relock: settingsToPackageJson,
    mutate: (d) =>
      editText(d, 'patches/is-positive@3.1.0.patch', (t) =>
        t.replace('patched by the oracle workspace', 'patched again'),
      ),
  },
  {
    name: 'settings in package.json "pnpm": patch removed',
    core: true,
    relock: settingsToPackageJson,
    mutate: (d) => editJson(d, 'package.json', (p) => delete p.pnpm.patchedDependencies),
  },
  {
    name: 'settings in package.json "pnpm": packageExtensions changed',
    core: true,
    relock: settingsToPackageJson,
    mutate: (d) =>
      editJson(
        d,
        'package.json',
        (p) => (p.pnpm.packageExtensions.debug.peerDependenciesMeta['supports-color'].optional = false),
      ),
  },
  {
    name: 'settings in package.json "pnpm": moved back to pnpm-workspace.yaml',
    core: true,
    relock: settingsToPackageJson,
    mutate: (d) => {
      editJson(d, 'package.json', (p) => delete p.pnpm);
      append(d, ws, `${WS_OVERRIDES}${WS_PATCHES}${WS_EXTENSIONS}`);
    },
  },
  {
    name: 'settings in package.json "pnpm": the same settings repeated in pnpm-workspace.yaml',
    core: true,
    relock: settingsToPackageJson,
    mutate: (d) => append(d, ws, `${WS_OVERRIDES}${WS_PATCHES}${WS_EXTENSIONS}`),
  },
  // which dependencies may run build scripts: onlyBuiltDependencies (pnpm 9, 10), allowBuilds (later)
  {
    name: 'onlyBuiltDependencies added in package.json "pnpm"',
    core: true,
    mutate: (d) => editJson(d, 'package.json', (p) => (p.pnpm = { onlyBuiltDependencies: ['debug'] })),
  },
  {
    name: 'onlyBuiltDependencies added in pnpm-workspace.yaml',
    core: true,
    mutate: (d) => append(d, ws, 'onlyBuiltDependencies:\n  - debug\n'),
  },
  {
    name: 'neverBuiltDependencies added in package.json "pnpm"',
    core: true,
    mutate: (d) => editJson(d, 'package.json', (p) => (p.pnpm = { neverBuiltDependencies: ['debug'] })),
  },
  {
    name: 'allowBuilds added in pnpm-workspace.yaml',
    core: true,
    mutate: (d) => append(d, ws, 'allowBuilds:\n  debug: true\n'),
  },
  {
    name: 'onlyBuiltDependencies in package.json "pnpm": lockfile made for it, then changed',
    core: true,
    relock: (d) => editJson(d, 'package.json', (p) => (p.pnpm = { onlyBuiltDependencies: ['debug'] })),
    mutate: (d) => editJson(d, 'package.json', (p) => (p.pnpm.onlyBuiltDependencies = ['ms'])),
  },
  // catalog settings
  { name: 'catalogMode strict added', core: true, mutate: (d) => append(d, ws, 'catalogMode: strict\n') },
  {
    name: 'catalogMode prefer: catalog: replaced by the same range in package.json',
    core: true,
    mutate: (d) => {
      append(d, ws, 'catalogMode: prefer\n');
      editJson(d, api, (p) => (p.dependencies.ms = '^2.1.3'));
    },
  },
  {
    name: 'cleanupUnusedCatalogs turned on beside an unused catalog entry',
    core: true,
    mutate: (d) => {
      editText(d, ws, (t) => t.replace('  ms: ^2.1.3\n', '  ms: ^2.1.3\n  kleur: ^4.1.5\n'));
      append(d, ws, 'cleanupUnusedCatalogs: true\n');
    },
  },
  {
    name: 'lockfile catalog specifier edited by hand',
    core: true,
    mutate: (d) =>
      editText(d, lock, (t) =>
        t.replace(
          '    ms:\n      specifier: ^2.1.3\n      version: 2.1.3\n',
          '    ms:\n      specifier: ^2.1.0\n      version: 2.1.3\n',
        ),
      ),
  },
  // patches: keys, ranges and the hash each major records
  {
    name: 'patch keyed by name only: lockfile made for it',
    majors: [10, 11, 12],
    relock: (d) => editText(d, ws, (t) => t.replace('  is-positive@3.1.0: patches', '  is-positive: patches')),
    mutate: () => {},
  },
  {
    name: 'patch keyed by name only: patch file content changed',
    majors: [10, 11, 12],
    relock: (d) => editText(d, ws, (t) => t.replace('  is-positive@3.1.0: patches', '  is-positive: patches')),
    mutate: (d) =>
      editText(d, 'patches/is-positive@3.1.0.patch', (t) =>
        t.replace('patched by the oracle workspace', 'patched again'),
      ),
  },
  {
    name: 'patch keyed by a version range: lockfile made for it',
    majors: [10, 11, 12],
    relock: (d) => editText(d, ws, (t) => t.replace('  is-positive@3.1.0: patches', "  'is-positive@^3.0.0': patches")),
    mutate: () => {},
  },
  {
    name: 'patch hash in the lockfile edited by hand',
    majors: [10, 11, 12],
    mutate: (d) =>
      editText(d, lock, (t) => {
        const hash = /\b[0-9a-f]{64}\b/.exec(t)?.[0];
        return hash ? t.replaceAll(hash, '0'.repeat(64)) : t;
      }),
  },
  {
    name: 'patch for a version that is not installed added',
    core: true,
    mutate: (d) =>
      editText(d, ws, (t) => t.replace(WS_PATCHES, `${WS_PATCHES}  left-pad@9.9.9: patches/is-positive@3.1.0.patch\n`)),
  },
  // the Node runtime as a dependency (devEngines.runtime, runtime: specifiers)
  {
    name: 'devEngines.runtime (node, onFail download) added to the root',
    core: true,
    mutate: (d) =>
      editJson(
        d,
        'package.json',
        (p) => (p.devEngines = { runtime: { name: 'node', version: '24.22.3', onFail: 'download' } }),
      ),
  },
  {
    name: 'devEngines.runtime (node, onFail warn) added to the root',
    core: true,
    mutate: (d) =>
      editJson(
        d,
        'package.json',
        (p) => (p.devEngines = { runtime: { name: 'node', version: '>=20', onFail: 'warn' } }),
      ),
  },
  {
    name: 'runtime: dependency on node added',
    core: true,
    mutate: (d) => editJson(d, api, (p) => (p.devDependencies.node = 'runtime:24.22.3')),
  },
  // the settings section and other settings pnpm records in the lockfile
  {
    name: 'lockfile settings: autoInstallPeers flipped by hand',
    core: true,
    mutate: (d) => editText(d, lock, (t) => t.replace('  autoInstallPeers: true\n', '  autoInstallPeers: false\n')),
  },
  {
    name: 'lockfile settings: an unknown setting added by hand',
    core: true,
    mutate: (d) => editText(d, lock, (t) => t.replace('\nsettings:\n', '\nsettings:\n  someFutureSetting: true\n')),
  },
  {
    name: 'lockfile settings section removed by hand',
    core: true,
    mutate: (d) =>
      editText(d, lock, (t) =>
        t.replace('settings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\n', ''),
      ),
  },
  {
    name: 'lockfile overrides section removed by hand',
    majors: [10, 11, 12],
    mutate: (d) =>
      editText(d, lock, (t) => t.replace('overrides:\n  is-odd>is-number: 6.0.0\n  is-positive: 3.1.0\n\n', '')),
  },
  {
    name: 'lockfile packageExtensionsChecksum edited by hand',
    majors: [10, 11, 12],
    mutate: (d) =>
      editText(d, lock, (t) =>
        t.replace(/packageExtensionsChecksum: sha256-\S+/, `packageExtensionsChecksum: sha256-${'A'.repeat(43)}=`),
      ),
  },
  {
    name: 'lockfile written by pnpm 7 (version 5.4)',
    core: true,
    mutate: (d) => editText(d, lock, (t) => t.replace("lockfileVersion: '9.0'", 'lockfileVersion: 5.4')),
  },
  // the env document (pnpm 11 and later: configDependencies and the packageManager pin, as the
  // first YAML document of pnpm-lock.yaml)
  {
    name: 'pnpm 12: pmOnFail: ignore removed, so the exact packageManager pin must be in the env document',
    majors: [12],
    mutate: (d) => editText(d, ws, (t) => t.replace(PM_ON_FAIL_IGNORE, '')),
  },
  {
    name: 'devEngines.packageManager pins the running pnpm',
    core: true,
    mutate: (d, { version }) =>
      editJson(d, 'package.json', (p) => (p.devEngines = { packageManager: { name: 'pnpm', version } })),
  },
  {
    name: 'devEngines.packageManager pins the running pnpm with onFail ignore',
    core: true,
    mutate: (d, { version }) =>
      editJson(
        d,
        'package.json',
        (p) => (p.devEngines = { packageManager: { name: 'pnpm', version, onFail: 'ignore' } }),
      ),
  },
  {
    name: 'env document without config dependencies prepended by hand',
    core: true,
    mutate: (d) =>
      editText(
        d,
        lock,
        (t) =>
          `---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies: {}\n\npackages: {}\n\nsnapshots: {}\n\n---\n${t}`,
      ),
  },
];
