import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editJson, editText, writeTree } from './workspace.js';

/**
 * Mutations of the oracle workspace (see BASE_FILES). Each is applied to a fresh copy; pnpm's
 * frozen install decides the verdict, and devkit must agree. The cases cover every dependency
 * kind, workspace: and catalog: specifiers, importers added and removed, overrides, patches,
 * packageExtensions, ignoredOptionalDependencies, the peer and link settings (from
 * pnpm-workspace.yaml and from .npmrc), the pnpmfile, publishDirectory, dependenciesMeta and
 * hand edits of the lockfile. Some are changes pnpm accepts, on purpose.
 */
export interface OracleCase {
  name: string;
  /**
   * Changes settings and has pnpm rewrite the lockfile for them (offline, from the primed
   * store) before `mutate`: how a case starts from a lockfile made under other settings.
   */
  relock?: (dir: string) => void;
  mutate(dir: string): void;
}

const api = 'apps/api/package.json';
const web = 'apps/web/package.json';
const shared = 'packages/shared/package.json';
const ws = 'pnpm-workspace.yaml';
const lock = 'pnpm-lock.yaml';
const append = (dir: string, path: string, text: string) => editText(dir, path, (t) => `${t}${text}`);

export const ORACLE_CASES: OracleCase[] = [
  { name: 'unchanged workspace', mutate: () => {} },
  // dependencies
  { name: 'dependency added', mutate: (d) => editJson(d, api, (p) => (p.dependencies.kleur = '^4.1.5')) },
  { name: 'dependency removed', mutate: (d) => editJson(d, api, (p) => delete p.dependencies.debug) },
  { name: 'dependency range changed', mutate: (d) => editJson(d, api, (p) => (p.dependencies.debug = '^4.3.0')) },
  {
    name: 'dependency range rewritten to an equivalent string',
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
  { name: 'devDependency removed', mutate: (d) => editJson(d, api, (p) => delete p.devDependencies) },
  {
    name: 'devDependency range changed',
    mutate: (d) => editJson(d, api, (p) => (p.devDependencies['is-number'] = '^7.0.0 || ^6.0.0')),
  },
  {
    name: 'optionalDependency added',
    mutate: (d) => editJson(d, shared, (p) => (p.optionalDependencies = { 'is-odd': '^3.0.1' })),
  },
  { name: 'optionalDependency removed', mutate: (d) => editJson(d, api, (p) => delete p.optionalDependencies) },
  {
    name: 'optionalDependency range changed',
    mutate: (d) => editJson(d, api, (p) => (p.optionalDependencies['is-odd'] = '3.0.1')),
  },
  {
    name: 'dependency moved to devDependencies',
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
  { name: 'dependency field set to null', mutate: (d) => editJson(d, shared, (p) => (p.optionalDependencies = null)) },
  {
    name: 'key order of dependencies changed',
    mutate: (d) =>
      editJson(d, api, (p) => (p.dependencies = Object.fromEntries(Object.entries(p.dependencies).reverse()))),
  },
  // peers (autoInstallPeers is on by default)
  {
    name: 'peerDependency added',
    mutate: (d) => editJson(d, shared, (p) => (p.peerDependencies = { react: '^18.0.0' })),
  },
  { name: 'peerDependency removed', mutate: (d) => editJson(d, api, (p) => delete p.peerDependencies) },
  {
    name: 'peerDependency range changed',
    mutate: (d) => editJson(d, api, (p) => (p.peerDependencies.react = '^18.2.0')),
  },
  {
    name: 'peerDependency also added as devDependency',
    mutate: (d) => editJson(d, api, (p) => (p.devDependencies.react = '^18.0.0')),
  },
  // workspace: protocol and projects
  {
    name: 'workspace:* changed to workspace:^',
    mutate: (d) => editJson(d, api, (p) => (p.dependencies['@oracle/shared'] = 'workspace:^')),
  },
  {
    name: 'workspace dependency changed to a plain version',
    mutate: (d) => editJson(d, api, (p) => (p.dependencies['@oracle/shared'] = '1.0.0')),
  },
  { name: 'workspace project version bumped', mutate: (d) => editJson(d, shared, (p) => (p.version = '1.1.0')) },
  { name: 'project renamed (name field)', mutate: (d) => editJson(d, web, (p) => (p.name = '@oracle/website')) },
  {
    name: 'project added without dependencies',
    mutate: (d) => writeTree(d, { 'packages/empty/package.json': { name: '@oracle/empty', version: '1.0.0' } }),
  },
  {
    name: 'project added with dependencies',
    mutate: (d) =>
      writeTree(d, {
        'packages/util/package.json': { name: '@oracle/util', version: '1.0.0', dependencies: { ms: '^2.1.3' } },
      }),
  },
  {
    name: 'project removed (nothing depends on it)',
    mutate: (d) => rmSync(join(d, 'apps/web'), { recursive: true }),
  },
  { name: 'project moved to another folder', mutate: (d) => renameSync(join(d, 'apps/web'), join(d, 'apps/site')) },
  {
    name: 'workspace patterns narrowed to exclude a project',
    mutate: (d) => editText(d, ws, (t) => t.replace('  - apps/*\n', '  - apps/api\n')),
  },
  {
    name: 'new project with dependencies excluded by a negated pattern',
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
    mutate: (d) => editJson(d, api, (p) => (p.dependencies['local-thing'] = 'link:../../vendor/thing')),
  },
  // catalogs
  {
    name: 'default catalog entry changed',
    mutate: (d) => editText(d, ws, (t) => t.replace('  ms: ^2.1.3', '  ms: ^2.1.0')),
  },
  {
    name: 'unused catalog entry added',
    mutate: (d) => editText(d, ws, (t) => t.replace('  ms: ^2.1.3\n', '  ms: ^2.1.3\n  kleur: ^4.1.5\n')),
  },
  {
    name: 'used catalog entry removed',
    mutate: (d) => editText(d, ws, (t) => t.replace('  ms: ^2.1.3\n', '  other: ^1.0.0\n')),
  },
  {
    name: 'named catalog entry changed',
    mutate: (d) => editText(d, ws, (t) => t.replace('    left-pad: 1.3.0', '    left-pad: ^1.3.0')),
  },
  {
    name: 'catalog: replaced by the same range in package.json',
    mutate: (d) => editJson(d, api, (p) => (p.dependencies.ms = '^2.1.3')),
  },
  {
    name: 'catalog entry written as a number',
    mutate: (d) => editText(d, ws, (t) => t.replace('    left-pad: 1.3.0', '    left-pad: 1')),
  },
  // overrides
  {
    name: 'override value changed',
    mutate: (d) => editText(d, ws, (t) => t.replace('is-odd>is-number: 6.0.0', 'is-odd>is-number: 6.0.0 || 7.0.0')),
  },
  {
    name: 'override added',
    mutate: (d) => editText(d, ws, (t) => t.replace('overrides:\n', 'overrides:\n  ms: 2.1.2\n')),
  },
  { name: 'override removed', mutate: (d) => editText(d, ws, (t) => t.replace('  is-odd>is-number: 6.0.0\n', '')) },
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
    mutate: (d) =>
      editText(d, 'patches/is-positive@3.1.0.patch', (t) =>
        t.replace('patched by the oracle workspace', 'patched again'),
      ),
  },
  {
    name: 'patch file line endings changed to CRLF',
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
    mutate: (d) => {
      mkdirSync(join(d, 'patches/npm'));
      renameSync(join(d, 'patches/is-positive@3.1.0.patch'), join(d, 'patches/npm/is-positive.patch'));
      editText(d, ws, (t) => t.replace('patches/is-positive@3.1.0.patch', 'patches/npm/is-positive.patch'));
    },
  },
  {
    name: 'packageExtensions changed',
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
    mutate: (d) => append(d, ws, 'ignoredOptionalDependencies:\n  - is-odd\n'),
  },
  // settings
  {
    name: 'autoInstallPeers turned off in pnpm-workspace.yaml',
    mutate: (d) => append(d, ws, 'autoInstallPeers: false\n'),
  },
  {
    name: 'auto-install-peers turned off in .npmrc',
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
    mutate: (d) => writeFileSync(join(d, '.npmrc'), 'auto-install-peers=False\n'),
  },
  {
    name: '.npmrc boolean left empty (a flag turned on)',
    mutate: (d) => writeFileSync(join(d, '.npmrc'), 'auto-install-peers=\n'),
  },
  { name: 'pnpm-workspace.yaml setting left empty (null)', mutate: (d) => append(d, ws, 'autoInstallPeers:\n') },
  { name: 'dedupePeers turned on', mutate: (d) => append(d, ws, 'dedupePeers: true\n') },
  { name: 'dedupe-peers turned on in .npmrc', mutate: (d) => writeFileSync(join(d, '.npmrc'), 'dedupe-peers=true\n') },
  { name: 'excludeLinksFromLockfile turned on', mutate: (d) => append(d, ws, 'excludeLinksFromLockfile: true\n') },
  {
    name: 'peers-suffix-max-length changed in .npmrc',
    mutate: (d) => writeFileSync(join(d, '.npmrc'), 'peers-suffix-max-length=500\n'),
  },
  { name: 'injectWorkspacePackages turned on', mutate: (d) => append(d, ws, 'injectWorkspacePackages: true\n') },
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
    relock: (d) => append(d, ws, 'autoInstallPeers: false\n'),
    mutate: () => {},
  },
  {
    name: 'autoInstallPeers off: peer range changed',
    relock: (d) => append(d, ws, 'autoInstallPeers: false\n'),
    mutate: (d) => editJson(d, api, (p) => (p.peerDependencies.react = '^18.2.0')),
  },
  {
    name: 'autoInstallPeers off: peer added',
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
    relock: (d) => append(d, ws, 'excludeLinksFromLockfile: true\n'),
    mutate: (d) => editJson(d, api, (p) => (p.dependencies['local-thing'] = 'link:../../vendor/thing')),
  },
  {
    name: 'ignoredOptionalDependencies: ignored optional dependency changed',
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
    mutate: (d) =>
      writeFileSync(join(d, '.pnpmfile.cjs'), 'module.exports = { hooks: { readPackage (pkg) { return pkg } } }\n'),
  },
  {
    name: '.pnpmfile.cjs without hooks added',
    mutate: (d) => writeFileSync(join(d, '.pnpmfile.cjs'), 'module.exports = {}\n'),
  },
  // per-importer metadata
  {
    name: 'publishConfig.directory changed',
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
    mutate: (d) =>
      editText(d, lock, (t) => `${t.trimEnd()}\n\n  zzz-orphan@1.0.0:\n    dependencies:\n      not-there: 9.9.9\n`),
  },
  {
    name: 'lockfile written by pnpm 8 (version 6.0)',
    mutate: (d) => editText(d, lock, (t) => t.replace("lockfileVersion: '9.0'", "lockfileVersion: '6.0'")),
  },
  {
    name: 'lockfile version unquoted (YAML reads 9.0 as the number 9)',
    mutate: (d) => editText(d, lock, (t) => t.replace("lockfileVersion: '9.0'", 'lockfileVersion: 9.0')),
  },
  {
    name: 'lockfile minor version 9.1',
    mutate: (d) => editText(d, lock, (t) => t.replace("lockfileVersion: '9.0'", "lockfileVersion: '9.1'")),
  },
  {
    name: 'lockfile truncated mid-flow-mapping',
    mutate: (d) => editText(d, lock, (t) => `${t.slice(0, t.indexOf('resolution: {') + 20)}\n`),
  },
];
