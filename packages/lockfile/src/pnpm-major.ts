import { machineError } from '@devkit/core';

/**
 * What differs in a frozen install's verdict from one pnpm major to the next. Each field
 * cites the rule in PNPM-MAJORS.md (beside this package) that says where pnpm does it.
 */

/** The pnpm majors devkit judges lockfiles for. */
export const KNOWN_PNPM_MAJORS = [9, 10, 11, 12] as const;
export type PnpmMajor = (typeof KNOWN_PNPM_MAJORS)[number];

/** The major devkit judges by when nothing says which pnpm the repo uses. */
export const DEFAULT_PNPM_MAJOR: PnpmMajor = 10;

/** Which pnpm major the check follows and where that came from ("package.json packageManager"). */
export interface PnpmMajorChoice {
  major: number;
  /** As messages name it: "package.json packageManager", "pnpm 11.2.0 on PATH", "devkit's default". */
  source: string;
}

export interface PnpmRules {
  major: PnpmMajor;
  /**
   * Where overrides, packageExtensions, ignoredOptionalDependencies and patchedDependencies
   * come from: `manifest` (9: the root package.json `pnpm` field and `resolutions` only),
   * `manifest-over-workspace` (10: those win over pnpm-workspace.yaml, which fills in),
   * `workspace` (11, 12: pnpm-workspace.yaml only; the `pnpm` field is ignored with a warning).
   */
  projectSettings: 'manifest' | 'manifest-over-workspace' | 'workspace';
  /** Whether the peer and link settings (autoInstallPeers, …) are read from pnpm-workspace.yaml. */
  settingsFromWorkspace: boolean;
  /** Whether they are read from .npmrc (pnpm 11 reads only auth, registry and network keys there). */
  settingsFromNpmrc: boolean;
  /** How a patch file is hashed: md5 in base32 (9) or sha256 in hex (10+). */
  patchHash: 'md5-base32' | 'sha256-hex';
  /** `patchedDependencies` in the lockfile: `{hash, path}` per selector (9, 10) or the hash alone (11+). */
  patchRecord: 'hash-and-path' | 'hash';
  /** packageExtensionsChecksum: md5 hex of the key-sorted JSON (9) or object-hash sha256 (10+). */
  packageExtensionsHash: 'md5-json' | 'object-hash';
  /** pnpmfileChecksum: md5 base32 of the one pnpmfile (9) or sha256 over every loaded one (10+). */
  pnpmfileHash: 'md5-base32' | 'sha256';
  /** The pnpmfiles tried when none is configured, the first found wins. */
  defaultPnpmfiles: readonly string[];
  /** Whether settings.dedupePeers and settings.injectWorkspacePackages are compared (10+). */
  comparesDedupeAndInject: boolean;
  /** Whether a git specifier matches its equivalent spellings (`github:a/b` and `git+https://github.com/a/b.git`) (11+). */
  gitSpecifierEquivalence: boolean;
  /** Which manifest fields' `runtime` entries with `onFail: download` become `runtime:` dependencies. */
  runtimeDependencies: readonly ('devEngines' | 'engines')[];
  /** Whether the env document's configDependencies must match pnpm-workspace.yaml (11+). */
  checksConfigDependencies: boolean;
  /**
   * Whether the pnpm pin is recorded in the env document (11+: a `devEngines.packageManager`
   * pin, or an exact `packageManager` of pnpm 12 or later, unless `pmOnFail: ignore`).
   */
  checksPackageManagerPin: boolean;
  /** Whether the lockfile's `catalogs:` are compared with pnpm-workspace.yaml's (10+; 9.15 does not). */
  comparesCatalogs: boolean;
  /** Whether a locked version must satisfy its importer's specifier (10+; 9.15 does not check). */
  checksLockedVersions: boolean;
  /** The lockfile majors a frozen install reads (pnpm 9 also reads pnpm 8's 6.x). */
  lockfileMajors: readonly string[];
  /** Whether pnpm-lock.yaml may hold an env document before the lockfile (pnpm 9 rejects two documents). */
  readsEnvDocument: boolean;
  /**
   * 11+: an optional dependency the importer does not list at all is taken as one that could not
   * be resolved and left out, not as drift (its specifier changed or removed still is drift).
   */
  skipsUnlockedOptionals: boolean;
  /** 11+: a dependency field written as `null` reads as absent (9 and 10 fail on it). */
  nullDependencyFieldIsAbsent: boolean;
}

const BASE_RULES: Record<Exclude<PnpmMajor, 12>, PnpmRules> = {
  9: {
    major: 9,
    projectSettings: 'manifest',
    settingsFromWorkspace: false,
    settingsFromNpmrc: true,
    patchHash: 'md5-base32',
    patchRecord: 'hash-and-path',
    packageExtensionsHash: 'md5-json',
    pnpmfileHash: 'md5-base32',
    defaultPnpmfiles: ['.pnpmfile.cjs'],
    comparesDedupeAndInject: false,
    gitSpecifierEquivalence: false,
    runtimeDependencies: [],
    checksConfigDependencies: false,
    checksPackageManagerPin: false,
    comparesCatalogs: false,
    checksLockedVersions: false,
    lockfileMajors: ['9', '6'],
    readsEnvDocument: false,
    skipsUnlockedOptionals: false,
    nullDependencyFieldIsAbsent: false,
  },
  10: {
    major: 10,
    projectSettings: 'manifest-over-workspace',
    settingsFromWorkspace: true,
    settingsFromNpmrc: true,
    patchHash: 'sha256-hex',
    patchRecord: 'hash-and-path',
    packageExtensionsHash: 'object-hash',
    pnpmfileHash: 'sha256',
    defaultPnpmfiles: ['.pnpmfile.cjs'],
    comparesDedupeAndInject: true,
    gitSpecifierEquivalence: false,
    runtimeDependencies: ['devEngines'],
    checksConfigDependencies: false,
    checksPackageManagerPin: false,
    comparesCatalogs: true,
    checksLockedVersions: true,
    lockfileMajors: ['9'],
    readsEnvDocument: true,
    skipsUnlockedOptionals: false,
    nullDependencyFieldIsAbsent: false,
  },
  11: {
    major: 11,
    projectSettings: 'workspace',
    settingsFromWorkspace: true,
    settingsFromNpmrc: false,
    patchHash: 'sha256-hex',
    patchRecord: 'hash',
    packageExtensionsHash: 'object-hash',
    pnpmfileHash: 'sha256',
    defaultPnpmfiles: ['.pnpmfile.mjs', '.pnpmfile.cjs'],
    comparesDedupeAndInject: true,
    gitSpecifierEquivalence: true,
    runtimeDependencies: ['devEngines', 'engines'],
    checksConfigDependencies: true,
    checksPackageManagerPin: true,
    comparesCatalogs: true,
    checksLockedVersions: true,
    lockfileMajors: ['9'],
    readsEnvDocument: true,
    skipsUnlockedOptionals: true,
    nullDependencyFieldIsAbsent: true,
  },
};

/** pnpm 12 (the Rust rewrite) judges a frozen install exactly as 11 does (PNPM-MAJORS.md). */
const RULES: Record<PnpmMajor, PnpmRules> = { ...BASE_RULES, 12: { ...BASE_RULES[11], major: 12 } };

export function isKnownPnpmMajor(major: number): major is PnpmMajor {
  return (KNOWN_PNPM_MAJORS as readonly number[]).includes(major);
}

/**
 * The rules of one pnpm major. A major devkit does not know is something the machine lacks
 * (exit 3): a devkit that knows it.
 */
export function pnpmRules(major: number, source?: string): PnpmRules {
  if (isKnownPnpmMajor(major)) return RULES[major];
  const known = KNOWN_PNPM_MAJORS.join(', ');
  throw machineError(
    'E_PNPM_MAJOR_UNKNOWN',
    `${source ? `${source} asks for` : 'the repo uses'} pnpm ${major}; devkit judges lockfiles for pnpm ${known} only`,
    {
      hint: `pin a pnpm devkit knows (${known}), e.g. "packageManager": "pnpm@${KNOWN_PNPM_MAJORS.at(-1)}.x.y" in package.json, or update devkit`,
      details: { major, source, known: [...KNOWN_PNPM_MAJORS] },
    },
  );
}
