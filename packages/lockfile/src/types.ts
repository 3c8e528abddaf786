import type { SettingValue } from './npmrc.js';
import type { PnpmMajorChoice } from './pnpm-major.js';

/**
 * The data the lockfile check works on and the findings it returns. Everything here is plain
 * data: `checkLockfile` is pure, `inspectRepo` is the only part that reads files.
 */

/** Dependency fields of a manifest that pnpm records per importer (peers are merged in by autoInstallPeers). */
export const DEPENDENCY_FIELDS = ['optionalDependencies', 'dependencies', 'devDependencies'] as const;
export type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

/** The parts of a package.json the check reads. */
export interface ProjectManifest {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dependenciesMeta?: Record<string, unknown>;
  publishConfig?: { directory?: string };
  [key: string]: unknown;
}

/** A workspace project: its importer id (`.`, `apps/api`) and its manifest. */
export interface WorkspaceProject {
  id: string;
  /** Path of its package.json relative to the repo root. */
  manifestFile: string;
  manifest: ProjectManifest;
}

/** One importer of the lockfile, in pnpm's in-memory shape (specifiers apart from versions). */
export interface LockfileImporter {
  specifiers: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dependenciesMeta?: Record<string, unknown>;
  publishDirectory?: string;
}

/** A package's resolution as pnpm writes it (`resolution: {…}`). */
export interface LockfileResolution {
  integrity?: string;
  tarball?: string;
  type?: string;
  repo?: string;
  commit?: string;
  directory?: string;
  path?: string;
  url?: string;
  [key: string]: unknown;
}

/** One entry of the `packages:` section (v9 keys have no peer suffix). */
export interface LockfilePackage {
  /** The key as written, e.g. `@babel/core@7.28.4` or `foo@https://host/foo.tgz`. */
  key: string;
  name: string;
  /** The version the key carries, or the `version:` field for non-registry packages. */
  version: string;
  resolution: LockfileResolution | undefined;
  /** 1-based line of the key in pnpm-lock.yaml. */
  line: number;
}

export interface LockfileSettingsSection {
  autoInstallPeers?: boolean;
  dedupePeers?: boolean;
  excludeLinksFromLockfile?: boolean;
  peersSuffixMaxLength?: number;
  injectWorkspacePackages?: boolean;
}

/** One entry of the `snapshots:` section: what a package (with its peers) depends on. */
export interface LockfileSnapshot {
  /** 1-based line of the key in pnpm-lock.yaml (0 when unknown). */
  line: number;
  /**
   * Its dependencies and optionalDependencies as flat pairs `[alias, reference, alias, …]`:
   * thousands of snapshots are read on every check, and pairs in one array cost far less than
   * one dictionary object each.
   */
  refs: string[];
  /** Where in `refs` the optionalDependencies pairs start; absent when it has none (they follow the dependencies). */
  optionalFrom?: number;
  /** pnpm's `optional: true`: only optional dependencies lead to it, so it may be missing on this platform. */
  optional?: boolean;
}

/** pnpm 11's env document: importer `.`'s dependency groups (name → specifier and version) and the keys it records. */
export interface EnvDocument {
  configDependencies: Record<string, { specifier: string; version: string }>;
  packageManagerDependencies: Record<string, { specifier: string; version: string }>;
  packages: string[];
  snapshots: string[];
}

/** What the check needs from pnpm-lock.yaml. */
export interface ParsedLockfile {
  lockfileVersion: string;
  settings?: LockfileSettingsSection;
  catalogs?: Record<string, Record<string, { specifier: string; version?: string }>>;
  overrides?: Record<string, string>;
  packageExtensionsChecksum?: string;
  patchedDependencies?: Record<string, unknown>;
  pnpmfileChecksum?: string;
  ignoredOptionalDependencies?: string[];
  importers: Record<string, LockfileImporter>;
  /** pnpm 11's env document (the first of two YAML documents): its config and package manager dependencies. */
  env?: EnvDocument | undefined;
  packages: LockfilePackage[];
  /** By dependency path; only the references are read. */
  snapshots: Map<string, LockfileSnapshot>;
}

/** A value and the file it comes from (for messages that say where to change it). */
export interface Sourced<T> {
  value: T;
  /** Repo-relative file the value was read from; `undefined` for pnpm's built-in default. */
  file: string | undefined;
}

/** A patch as pnpm records it: sha256 (hex) of the patch with CRLF normalised, and its path. */
export interface PatchFile {
  hash: string;
  path: string;
}

/**
 * pnpm's settings that the lockfile records, resolved from the repo the way the judging pnpm
 * major resolves them (see loadPnpmSettings and PNPM-MAJORS.md).
 */
export interface PnpmSettings {
  /**
   * As pnpm types them: a mistyped value (`auto-install-peers=False`) stays a string, which
   * pnpm then finds different from the lockfile's boolean — so does devkit.
   */
  autoInstallPeers: Sourced<SettingValue>;
  dedupePeers: Sourced<SettingValue>;
  excludeLinksFromLockfile: Sourced<SettingValue>;
  peersSuffixMaxLength: Sourced<SettingValue>;
  injectWorkspacePackages: Sourced<SettingValue>;
  /** After `$name` references and `catalog:` values are resolved. */
  overrides: Sourced<Record<string, string>>;
  packageExtensions: Sourced<Record<string, unknown> | undefined>;
  /** `sha256-…` of packageExtensions as pnpm hashes it; `undefined` when there are none. */
  packageExtensionsChecksum: string | undefined;
  ignoredOptionalDependencies: Sourced<string[] | undefined>;
  /** Selector → patch; `undefined` hash when the patch file cannot be read. */
  patchedDependencies: Sourced<Record<string, PatchFile | { path: string; hash: undefined }>>;
  catalogs: Sourced<Record<string, Record<string, string>>>;
  /** `sha256-…` of the pnpmfile(s) pnpm would load, `undefined` when none has hooks. */
  pnpmfileChecksum: Sourced<string | undefined>;
  /** `default` and `@scope` → registry URL with a trailing slash. */
  registries: Sourced<Record<string, string>>;
  /** pnpm-workspace.yaml `configDependencies` (pnpm 10+), name → specifier as written. */
  configDependencies?: Record<string, unknown> | undefined;
  /** pnpm-workspace.yaml `pmOnFail` (pnpm 11+): `ignore` turns off recording the pnpm pin. */
  pmOnFail?: unknown;
  /**
   * What the repo's files cannot tell, and why: `pnpmfile`, the pnpmfile checksum (a pnpm plugin
   * is not installed to read); `config`, catalogs and overrides beyond the files (an
   * updateConfig hook may add them at run time).
   */
  unjudged?: { pnpmfile?: string | undefined; config?: string | undefined } | undefined;
  /**
   * Settings the repo sets where the judging pnpm major does not read them (`overrides` →
   * `package.json` under pnpm 11), for messages that explain a finding.
   */
  ignored?: Record<string, string> | undefined;
}

/** Everything `checkLockfile` needs, as data. */
export interface LockfileCheckInput {
  lockfile: ParsedLockfile;
  projects: WorkspaceProject[];
  settings: PnpmSettings;
  /** Registries resolutions may come from (devkit.json `lockfile.registries`); default: `settings.registries`. */
  allowedRegistries?: readonly string[] | undefined;
  /** The pnpm major judged by and where that came from; default: pnpm 10, devkit's default. */
  pnpm?: PnpmMajorChoice | undefined;
}

export type FindingKind = 'drift' | 'integrity' | 'registry';

/** Stable codes, one per kind of finding (what `--json` consumers match on). */
export const FINDING_CODES = {
  DEPENDENCY_ADDED: 'drift',
  DEPENDENCY_REMOVED: 'drift',
  SPECIFIER_CHANGED: 'drift',
  DEPENDENCY_TYPE_CHANGED: 'drift',
  VERSION_OUT_OF_RANGE: 'drift',
  PUBLISH_DIRECTORY_CHANGED: 'drift',
  DEPENDENCIES_META_CHANGED: 'drift',
  CATALOG_CHANGED: 'drift',
  OVERRIDES_CHANGED: 'drift',
  PACKAGE_EXTENSIONS_CHANGED: 'drift',
  IGNORED_OPTIONAL_CHANGED: 'drift',
  PATCHES_CHANGED: 'drift',
  SETTING_CHANGED: 'drift',
  PNPMFILE_CHANGED: 'drift',
  CONFIG_DEPENDENCIES_CHANGED: 'drift',
  PACKAGE_MANAGER_PIN_CHANGED: 'drift',
  MISSING_PACKAGE: 'drift',
  INTEGRITY_MISSING: 'integrity',
  GIT_UNPINNED: 'integrity',
  TARBALL_UNPINNED: 'integrity',
  REGISTRY_NOT_ALLOWED: 'registry',
  INSECURE_URL: 'registry',
  TARBALL_NAME_MISMATCH: 'registry',
} as const satisfies Record<string, FindingKind>;

export type FindingCode = keyof typeof FINDING_CODES;

/** One problem, with where it is, both sides of the mismatch and the command that fixes it. */
export interface LockfileFinding {
  code: FindingCode;
  kind: FindingKind;
  message: string;
  /** Importer id (`.`, `apps/api`). */
  importer?: string | undefined;
  dependency?: string | undefined;
  /** Dependency field (`devDependencies`) or lockfile setting (`settings.autoInstallPeers`, `overrides`). */
  field?: string | undefined;
  /** What the manifest or configuration says (`null`: absent). */
  manifest?: unknown;
  /** What pnpm-lock.yaml says (`null`: absent). */
  lockfile?: unknown;
  /** The file the manifest-side value comes from (`apps/api/package.json`, `pnpm-workspace.yaml`, `.npmrc`). */
  file?: string | undefined;
  /** Lockfile package key for integrity and registry findings (`lodash@4.17.21`). */
  package?: string | undefined;
  /** 1-based line in pnpm-lock.yaml, when known. */
  line?: number | undefined;
  fix: string;
}
