import { createHash } from 'node:crypto';
import { usageError } from '@devkit/core';
import { npmrcBoolean, npmrcValue, parseNpmrc, type SettingValue } from './npmrc.js';
import { resolveVersionReferences } from './overrides.js';
import { isRecord } from './parse-lockfile.js';
import { normalizeRegistry } from './check-resolutions.js';
import { pnpmRules, DEFAULT_PNPM_MAJOR, type PnpmRules } from './pnpm-major.js';
import type { PatchFile, PnpmSettings, ProjectManifest, Sourced } from './types.js';

export const WORKSPACE_MANIFEST = 'pnpm-workspace.yaml';
export const NPMRC = '.npmrc';
export const ROOT_MANIFEST = 'package.json';

export const DEFAULT_REGISTRIES: Readonly<Record<string, string>> = {
  default: 'https://registry.npmjs.org/',
  '@jsr': 'https://npm.jsr.io/',
};

/** The peer and link settings the lockfile records: pnpm-workspace.yaml key and .npmrc key. */
const PEER_SETTINGS = [
  ['autoInstallPeers', 'auto-install-peers'],
  ['dedupePeers', 'dedupe-peers'],
  ['excludeLinksFromLockfile', 'exclude-links-from-lockfile'],
  ['peersSuffixMaxLength', 'peers-suffix-max-length'],
  ['injectWorkspacePackages', 'inject-workspace-packages'],
] as const;

/** Reads a repo file by its `/`-separated path relative to the root; `undefined` when absent. */
export type ReadRepoFile = (relPath: string) => Promise<string | undefined>;

function normalizeNewlines(text: string): string {
  return text.split('\r\n').join('\n');
}

/** pnpm's file hash: sha256 of the text with CRLF normalised. */
function hashText(text: string, encoding: 'hex' | 'base64'): string {
  return createHash('sha256').update(normalizeNewlines(text)).digest(encoding);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** pnpm 9's file hash: md5 of the text with CRLF normalised, in unpadded lower-case RFC 4648 base32. */
function md5Base32(text: string): string {
  const bytes = createHash('md5').update(normalizeNewlines(text)).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** sort-keys with `deep: true`: object keys sorted at every level, arrays kept in order. */
function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeysDeep(value[key])]),
  );
}

/** Joins a root-relative path and normalises `.`/`..`; undefined for a path leaving the repo. */
function repoPath(path: string): string | undefined {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return undefined;
  const parts: string[] = [];
  for (const part of path.replaceAll('\\', '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/**
 * Resolves the settings pnpm records in the lockfile from the repo's own files, the way the
 * given pnpm major does (PNPM-MAJORS.md): pnpm 9 reads the peer and link settings from .npmrc
 * and overrides and friends from the root package.json only; pnpm 10 lets pnpm-workspace.yaml
 * win over .npmrc and the root package.json (`pnpm` field, `resolutions`) win over
 * pnpm-workspace.yaml for overrides and friends; pnpm 11 and 12 read all of them from
 * pnpm-workspace.yaml alone. Catalogs always come from pnpm-workspace.yaml.
 * User-level and global config files and `npm_config_*` variables are deliberately not read:
 * the check judges what is committed, the same on every machine and in CI.
 */
export async function loadPnpmSettings(
  readFile: ReadRepoFile,
  {
    rootManifest,
    workspaceManifest,
    env = {},
    rules = pnpmRules(DEFAULT_PNPM_MAJOR),
  }: {
    rootManifest: ProjectManifest;
    workspaceManifest: Record<string, unknown> | undefined;
    env?: Readonly<Record<string, string | undefined>>;
    /** The pnpm major's rules; default: pnpm 10's. */
    rules?: PnpmRules;
  },
): Promise<PnpmSettings> {
  const npmrc = parseNpmrc((await readFile(NPMRC)) ?? '', env);
  const ws = workspaceManifest ?? {};
  // what each source may contribute under this major; the rest is ignored as pnpm ignores it
  const wsSettings = rules.settingsFromWorkspace ? ws : {};
  const npmrcSettings = rules.settingsFromNpmrc ? npmrc : {};
  const manifestSettings = rules.projectSettings !== 'workspace';
  const workspaceProjectSettings = rules.projectSettings !== 'manifest';
  const pnpmField = manifestSettings && isRecord(rootManifest.pnpm) ? rootManifest.pnpm : {};

  // pnpm takes a key present in pnpm-workspace.yaml as it is (even null), else .npmrc's typed value, else its default
  const fromConfig = (
    yamlKey: string,
    npmrcKey: string,
    kind: 'boolean' | 'number',
    fallback: SettingValue,
  ): Sourced<SettingValue> => {
    if (Object.hasOwn(wsSettings, yamlKey)) {
      const value = wsSettings[yamlKey];
      if (value === null || ['boolean', 'number', 'string'].includes(typeof value))
        return { value: value as SettingValue, file: WORKSPACE_MANIFEST };
      throw usageError(
        'E_WORKSPACE_SETTING',
        `${WORKSPACE_MANIFEST}: ${yamlKey} is ${JSON.stringify(value)}, which is not a valid value`,
        {
          hint: `fix ${yamlKey} in ${WORKSPACE_MANIFEST}`,
          details: { file: WORKSPACE_MANIFEST, key: yamlKey },
        },
      );
    }
    const raw = npmrcSettings[npmrcKey];
    if (raw !== undefined) return { value: npmrcValue(raw, kind), file: NPMRC };
    return { value: fallback, file: undefined };
  };

  // pnpm 10's install command applies the root manifest's `pnpm` field over pnpm-workspace.yaml, key by key
  const pick = (key: string): Sourced<unknown> =>
    pnpmField[key] !== undefined
      ? { value: pnpmField[key], file: ROOT_MANIFEST }
      : workspaceProjectSettings && ws[key] !== undefined
        ? { value: ws[key], file: WORKSPACE_MANIFEST }
        : { value: undefined, file: undefined };

  // catalogs
  if (ws.catalog != null && isRecord(ws.catalogs) && ws.catalogs.default != null) {
    throw usageError(
      'E_WORKSPACE_SETTING',
      `${WORKSPACE_MANIFEST} defines the default catalog twice (catalog and catalogs.default)`,
      {
        hint: `keep one: move the entries of catalogs.default into catalog in ${WORKSPACE_MANIFEST}, then delete catalogs.default`,
        details: { file: WORKSPACE_MANIFEST },
      },
    );
  }
  const catalogs: Record<string, Record<string, string>> = {};
  if (isRecord(ws.catalog)) catalogs.default = ws.catalog as Record<string, string>;
  if (isRecord(ws.catalogs))
    for (const [name, entries] of Object.entries(ws.catalogs))
      if (isRecord(entries)) catalogs[name] = entries as Record<string, string>;

  // overrides: package.json resolutions + pnpm.overrides when there are any (they replace
  // pnpm-workspace.yaml's whole), else pnpm-workspace.yaml's — each source as the major reads it
  let overrides: Sourced<Record<string, string>> = { value: {}, file: undefined };
  const manifestOverrides = manifestSettings
    ? {
        ...(isRecord(rootManifest.resolutions) ? (rootManifest.resolutions as Record<string, string>) : {}),
        ...(isRecord(pnpmField.overrides) ? (pnpmField.overrides as Record<string, string>) : {}),
      }
    : {};
  if (Object.keys(manifestOverrides).length > 0) {
    overrides = {
      value: resolveVersionReferences(manifestOverrides, rootManifest, ROOT_MANIFEST),
      file: ROOT_MANIFEST,
    };
  } else if (workspaceProjectSettings && isRecord(ws.overrides) && Object.keys(ws.overrides).length > 0) {
    overrides = {
      value: resolveVersionReferences(ws.overrides as Record<string, string>, rootManifest, WORKSPACE_MANIFEST),
      file: WORKSPACE_MANIFEST,
    };
  }

  const extensions = pick('packageExtensions');
  const packageExtensions = isRecord(extensions.value) ? (extensions.value as Record<string, unknown>) : undefined;
  let packageExtensionsChecksum: string | undefined;
  if (packageExtensions && Object.keys(packageExtensions).length > 0) {
    if (rules.packageExtensionsHash === 'md5-json') {
      packageExtensionsChecksum = createHash('md5')
        .update(JSON.stringify(sortKeysDeep(packageExtensions)))
        .digest('hex');
    } else {
      // object-hash is what pnpm hashes packageExtensions with; loaded only when there are some
      const { default: objectHash } = await import('object-hash');
      packageExtensionsChecksum = `sha256-${objectHash(packageExtensions, {
        respectType: false,
        algorithm: 'sha256',
        encoding: 'base64',
        unorderedArrays: true,
        unorderedObjects: true,
        unorderedSets: true,
      })}`;
    }
  }

  const ignored = pick('ignoredOptionalDependencies');
  const ignoredOptionalDependencies: Sourced<string[] | undefined> = {
    value: Array.isArray(ignored.value) ? ignored.value.map(String) : undefined,
    file: ignored.file,
  };

  const patchesSetting = pick('patchedDependencies');
  const patches: Record<string, PatchFile | { path: string; hash: undefined }> = {};
  if (isRecord(patchesSetting.value)) {
    await Promise.all(
      Object.entries(patchesSetting.value).map(async ([selector, rawPath]) => {
        const path = typeof rawPath === 'string' ? repoPath(rawPath) : undefined;
        const text = path === undefined ? undefined : await readFile(path);
        patches[selector] =
          text === undefined
            ? { path: path ?? String(rawPath), hash: undefined }
            : { hash: rules.patchHash === 'md5-base32' ? md5Base32(text) : hashText(text, 'hex'), path: path! };
      }),
    );
  }

  const configDependencies =
    rules.projectSettings !== 'manifest' && isRecord(ws.configDependencies) ? ws.configDependencies : {};
  const pnpmfiles = await loadPnpmfiles(readFile, wsSettings, npmrcSettings, rules, Object.keys(configDependencies));
  const pnpmfileChecksum = pnpmfiles.checksum;

  const registries: Record<string, string> = { ...DEFAULT_REGISTRIES };
  let registriesFile: string | undefined;
  for (const [key, value] of Object.entries(npmrc)) {
    if (key === 'registry' && value) {
      registries.default = normalizeRegistry(value);
      registriesFile = NPMRC;
    } else if (/^@[^/:]+:registry$/.test(key) && value) {
      registries[key.slice(0, key.indexOf(':'))] = normalizeRegistry(value);
      registriesFile = NPMRC;
    }
  }
  // pnpm 11 also takes `registries` from pnpm-workspace.yaml, over .npmrc's
  if (rules.major >= 11 && isRecord(ws.registries)) {
    for (const [scope, url] of Object.entries(ws.registries)) {
      if (typeof url !== 'string' || !url) continue;
      registries[scope] = normalizeRegistry(url);
      registriesFile = WORKSPACE_MANIFEST;
    }
  }

  // what the repo sets where this major does not look, so findings can say why it does not count
  const ignoredSources: Record<string, string> = {};
  const rawPnpmField = isRecord(rootManifest.pnpm) ? rootManifest.pnpm : {};
  for (const key of ['overrides', 'packageExtensions', 'ignoredOptionalDependencies', 'patchedDependencies']) {
    if (!manifestSettings && (rawPnpmField[key] !== undefined || (key === 'overrides' && rootManifest.resolutions)))
      ignoredSources[key] = ROOT_MANIFEST;
    else if (!workspaceProjectSettings && ws[key] !== undefined) ignoredSources[key] = WORKSPACE_MANIFEST;
  }
  for (const [yamlKey, npmrcKey] of PEER_SETTINGS) {
    if (!rules.settingsFromNpmrc && npmrc[npmrcKey] !== undefined) ignoredSources[yamlKey] = NPMRC;
    else if (!rules.settingsFromWorkspace && ws[yamlKey] !== undefined) ignoredSources[yamlKey] = WORKSPACE_MANIFEST;
  }

  return {
    ignored: ignoredSources,
    configDependencies: isRecord(ws.configDependencies) ? ws.configDependencies : undefined,
    pmOnFail: rules.settingsFromWorkspace ? ws.pmOnFail : undefined,
    autoInstallPeers: fromConfig('autoInstallPeers', 'auto-install-peers', 'boolean', true),
    dedupePeers: fromConfig('dedupePeers', 'dedupe-peers', 'boolean', false),
    excludeLinksFromLockfile: fromConfig('excludeLinksFromLockfile', 'exclude-links-from-lockfile', 'boolean', false),
    peersSuffixMaxLength: fromConfig('peersSuffixMaxLength', 'peers-suffix-max-length', 'number', 1000),
    injectWorkspacePackages: fromConfig('injectWorkspacePackages', 'inject-workspace-packages', 'boolean', false),
    overrides,
    packageExtensions: { value: packageExtensions, file: extensions.file },
    packageExtensionsChecksum,
    ignoredOptionalDependencies,
    patchedDependencies: { value: patches, file: patchesSetting.file },
    catalogs: { value: catalogs, file: Object.keys(catalogs).length > 0 ? WORKSPACE_MANIFEST : undefined },
    pnpmfileChecksum,
    ...(pnpmfiles.unjudged ? { unjudged: pnpmfiles.unjudged } : {}),
    registries: { value: registries, file: registriesFile },
  };
}

/** pnpm's names for config dependencies whose pnpmfile it loads as a plugin (10.15+). */
export function isPnpmPluginName(name: string): boolean {
  if (name.startsWith('pnpm-plugin-')) return true;
  if (name[0] !== '@') return false;
  return name.startsWith('@pnpm/plugin-') || name.includes('/pnpm-plugin-');
}

const CONFIG_MODULES_DIR = 'node_modules/.pnpm-config';

/**
 * The checksum pnpm records for the pnpmfile(s) it loads, and what devkit cannot judge because
 * of them. pnpm records a checksum only when a loaded pnpmfile exports hooks; devkit does not
 * run repo code, so a pnpmfile that never mentions `hooks` is taken to have none. Which files:
 * the pnpmfiles of plugin config dependencies (installed under node_modules/.pnpm-config), the
 * configured ones, and the major's default when none is configured (pnpm 11 prefers
 * .pnpmfile.mjs over .pnpmfile.cjs); pnpm 9 loads one file and hashes it alone, later majors
 * combine every loaded file's hash, sorted by path.
 *
 * A pnpmfile with an `updateConfig` hook can add catalogs and overrides at run time; a plugin
 * whose pnpmfile is not there to read (not installed, or a check of the git index) might.
 * Either way `unjudged` says so, and the checksum is unknown when a plugin cannot be read.
 */
async function loadPnpmfiles(
  readFile: ReadRepoFile,
  ws: Record<string, unknown>,
  npmrc: Record<string, string>,
  rules: PnpmRules,
  configDependencies: readonly string[],
): Promise<{ checksum: Sourced<string | undefined>; unjudged?: PnpmSettings['unjudged'] }> {
  const none = { checksum: { value: undefined, file: undefined } };
  const ignore = ws.ignorePnpmfile ?? npmrcBoolean(npmrc['ignore-pnpmfile']);
  if (ignore === true) return none;
  const loaded: { path: string; text: string }[] = [];
  const missingPlugins: string[] = [];
  const plugins = configDependencies.filter(isPnpmPluginName).sort();
  for (const name of rules.pnpmfileHash === 'md5-base32' ? [] : plugins) {
    const candidates =
      rules.major >= 11
        ? [`${CONFIG_MODULES_DIR}/${name}/pnpmfile.mjs`, `${CONFIG_MODULES_DIR}/${name}/pnpmfile.cjs`]
        : [`${CONFIG_MODULES_DIR}/${name}/pnpmfile.cjs`];
    let found = false;
    for (const path of candidates) {
      const text = await readFile(path);
      if (text === undefined) continue;
      loaded.push({ path, text });
      found = true;
      break;
    }
    if (!found) missingPlugins.push(name);
  }
  const configured = ws.pnpmfile ?? npmrc.pnpmfile;
  if (configured === undefined) {
    for (const file of rules.defaultPnpmfiles) {
      const text = await readFile(file);
      if (text === undefined) continue;
      loaded.push({ path: file, text });
      break;
    }
  } else {
    const files = (Array.isArray(configured) ? configured : [configured]).map(String);
    for (const file of rules.pnpmfileHash === 'md5-base32' ? files.slice(0, 1) : files) {
      const path = repoPath(file);
      if (path === undefined) continue;
      const text = await readFile(path);
      if (text !== undefined) loaded.push({ path, text });
    }
  }
  const rewriters = loaded.filter(({ text }) => /\bupdateConfig\b/.test(text)).map(({ path }) => path);
  const unjudged: NonNullable<PnpmSettings['unjudged']> = {};
  if (missingPlugins.length > 0) {
    unjudged.pnpmfile = `the pnpm plugin${missingPlugins.length > 1 ? 's' : ''} ${missingPlugins.join(', ')} (config dependencies) ${missingPlugins.length > 1 ? 'are' : 'is'} not installed here to read`;
    unjudged.config = unjudged.pnpmfile;
  } else if (rewriters.length > 0) {
    unjudged.config = `${rewriters.join(', ')} can change settings through an updateConfig hook`;
  }
  const result = Object.keys(unjudged).length > 0 ? { unjudged } : {};
  if (unjudged.pnpmfile !== undefined || !loaded.some(({ text }) => /\bhooks\b/.test(text)))
    return { ...none, ...result };
  if (rules.pnpmfileHash === 'md5-base32')
    return { checksum: { value: md5Base32(loaded[0]!.text), file: loaded[0]!.path }, ...result };
  loaded.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hashes = loaded.map(({ text }) => `sha256-${hashText(text, 'base64')}`);
  const value =
    hashes.length === 1 ? hashes[0]! : `sha256-${createHash('sha256').update(hashes.join(',')).digest('base64')}`;
  return { checksum: { value, file: loaded.map(({ path }) => path).join(', ') }, ...result };
}
