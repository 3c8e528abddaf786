import { deepEqual } from './deep-equal.js';
import { pnpmRules, DEFAULT_PNPM_MAJOR, type PnpmRules } from './pnpm-major.js';
import { dependencySpecifiersAreEqual } from './specifier-equality.js';
import type { LockfileFinding, ParsedLockfile, PnpmSettings } from './types.js';

const FIX = 'pnpm install';
const WORKSPACE_FILE = 'pnpm-workspace.yaml';

function sourceOf(file: string | undefined): string {
  return file ?? "pnpm's default";
}

/**
 * The lockfile-wide settings a frozen install compares with the configuration (pnpm's
 * `getOutdatedLockfileSetting`, which stops at the first): catalogs, overrides,
 * packageExtensionsChecksum, ignoredOptionalDependencies, patchedDependencies, the peer and
 * link settings, pnpmfileChecksum — as the given major compares them (PNPM-MAJORS.md).
 * Returns one finding per differing entry.
 */
export function checkSettings(
  lockfile: ParsedLockfile,
  settings: PnpmSettings,
  overrides: Record<string, string>,
  rules: PnpmRules = pnpmRules(DEFAULT_PNPM_MAJOR),
): LockfileFinding[] {
  const findings: LockfileFinding[] = [];
  const push = (finding: Omit<LockfileFinding, 'kind' | 'fix'>) =>
    findings.push({ kind: 'drift', fix: FIX, ...finding });
  const specifiersEqual = rules.gitSpecifierEquivalence
    ? dependencySpecifiersAreEqual
    : (a: string | undefined, b: string | undefined) => a === b;
  const ignoredNote = ignoredSourceNote(settings, rules);

  // catalogs: only the entries the lockfile recorded must still match (unused entries are not recorded)
  for (const [catalog, entries] of Object.entries(rules.comparesCatalogs ? (lockfile.catalogs ?? {}) : {})) {
    for (const [name, entry] of Object.entries(entries ?? {})) {
      const configured = settings.catalogs.value[catalog]?.[name];
      const recorded = typeof entry === 'object' && entry !== null ? entry.specifier : undefined;
      if (specifiersEqual(recorded, configured)) continue;
      push({
        code: 'CATALOG_CHANGED',
        field: `catalogs.${catalog}`,
        dependency: name,
        manifest: configured ?? null,
        lockfile: recorded ?? null,
        file: settings.catalogs.file ?? WORKSPACE_FILE,
        message:
          configured === undefined
            ? `catalog "${catalog}" no longer has ${name} (pnpm-lock.yaml records ${JSON.stringify(recorded)})`
            : `catalog "${catalog}" has ${name} ${JSON.stringify(configured)} in ${settings.catalogs.file ?? WORKSPACE_FILE} but ${JSON.stringify(recorded)} in pnpm-lock.yaml`,
      });
    }
  }

  const recordedOverrides = lockfile.overrides ?? {};
  if (!deepEqual(recordedOverrides, overrides)) {
    for (const selector of new Set([...Object.keys(recordedOverrides), ...Object.keys(overrides)])) {
      const now = overrides[selector];
      const then = recordedOverrides[selector];
      if (deepEqual(now, then)) continue;
      push({
        code: 'OVERRIDES_CHANGED',
        field: 'overrides',
        dependency: selector,
        manifest: now ?? null,
        lockfile: then ?? null,
        file: settings.overrides.file,
        message:
          now === undefined
            ? `override ${JSON.stringify(selector)} is in pnpm-lock.yaml (${JSON.stringify(then)}) but no longer configured${ignoredNote('overrides')}`
            : then === undefined
              ? `override ${JSON.stringify(selector)}: ${JSON.stringify(now)} in ${sourceOf(settings.overrides.file)} is not in pnpm-lock.yaml`
              : `override ${JSON.stringify(selector)} is ${JSON.stringify(now)} in ${sourceOf(settings.overrides.file)} but ${JSON.stringify(then)} in pnpm-lock.yaml`,
      });
    }
  }

  if (lockfile.packageExtensionsChecksum !== settings.packageExtensionsChecksum) {
    push({
      code: 'PACKAGE_EXTENSIONS_CHANGED',
      field: 'packageExtensionsChecksum',
      manifest: settings.packageExtensionsChecksum ?? null,
      lockfile: lockfile.packageExtensionsChecksum ?? null,
      file: settings.packageExtensions.file,
      message:
        settings.packageExtensionsChecksum === undefined
          ? `pnpm-lock.yaml records packageExtensions, but none are configured any more${ignoredNote('packageExtensions')}`
          : `packageExtensions in ${sourceOf(settings.packageExtensions.file)} changed since pnpm-lock.yaml was written`,
    });
  }

  const ignoredNow = [...(settings.ignoredOptionalDependencies.value ?? [])].sort();
  const ignoredThen = [...(lockfile.ignoredOptionalDependencies ?? [])].sort();
  if (!deepEqual(ignoredNow, ignoredThen)) {
    push({
      code: 'IGNORED_OPTIONAL_CHANGED',
      field: 'ignoredOptionalDependencies',
      manifest: ignoredNow,
      lockfile: ignoredThen,
      file: settings.ignoredOptionalDependencies.file,
      message: `ignoredOptionalDependencies is ${JSON.stringify(ignoredNow)} in ${sourceOf(settings.ignoredOptionalDependencies.file)} but ${JSON.stringify(ignoredThen)} in pnpm-lock.yaml`,
    });
  }

  const patchesThen = lockfile.patchedDependencies ?? {};
  const patchesNow = settings.patchedDependencies.value;
  for (const selector of new Set([...Object.keys(patchesThen), ...Object.keys(patchesNow)])) {
    const now = patchesNow[selector];
    const then = patchesThen[selector];
    if (now !== undefined && now.hash !== undefined && samePatch(now, then, rules)) continue;
    const file = settings.patchedDependencies.file;
    push({
      code: 'PATCHES_CHANGED',
      field: 'patchedDependencies',
      dependency: selector,
      manifest: now ?? null,
      lockfile: then ?? null,
      file: now?.path ?? file,
      message:
        now === undefined
          ? `pnpm-lock.yaml records a patch for ${selector}, which ${sourceOf(file)} no longer configures`
          : now.hash === undefined
            ? `the patch for ${selector} (${now.path}) cannot be read`
            : then === undefined
              ? `the patch for ${selector} (${now.path}) is not in pnpm-lock.yaml`
              : `the patch for ${selector} (${now.path}) changed since pnpm-lock.yaml was written`,
    });
  }

  const recorded = lockfile.settings ?? {};
  const setting = (
    name: keyof typeof recorded,
    differs: boolean,
    now: unknown,
    then: unknown,
    file: string | undefined,
  ) => {
    if (!differs) return;
    push({
      code: 'SETTING_CHANGED',
      field: `settings.${name}`,
      manifest: now,
      lockfile: then ?? null,
      file,
      message: `${name} is ${JSON.stringify(now)} (${sourceOf(file)}) but ${JSON.stringify(then ?? null)} in pnpm-lock.yaml${file === undefined ? ignoredNote(name) : ''}`,
    });
  };
  const { autoInstallPeers, dedupePeers, excludeLinksFromLockfile, peersSuffixMaxLength, injectWorkspacePackages } =
    settings;
  setting(
    'autoInstallPeers',
    recorded.autoInstallPeers != null && recorded.autoInstallPeers !== autoInstallPeers.value,
    autoInstallPeers.value,
    recorded.autoInstallPeers,
    autoInstallPeers.file,
  );
  setting(
    'dedupePeers',
    rules.comparesDedupeAndInject && Boolean(recorded.dedupePeers) !== Boolean(dedupePeers.value),
    dedupePeers.value,
    recorded.dedupePeers,
    dedupePeers.file,
  );
  setting(
    'excludeLinksFromLockfile',
    recorded.excludeLinksFromLockfile != null && recorded.excludeLinksFromLockfile !== excludeLinksFromLockfile.value,
    excludeLinksFromLockfile.value,
    recorded.excludeLinksFromLockfile,
    excludeLinksFromLockfile.file,
  );
  setting(
    'peersSuffixMaxLength',
    recorded.peersSuffixMaxLength != null
      ? recorded.peersSuffixMaxLength !== peersSuffixMaxLength.value
      : peersSuffixMaxLength.value !== 1000,
    peersSuffixMaxLength.value,
    recorded.peersSuffixMaxLength ?? 1000,
    peersSuffixMaxLength.file,
  );

  // a pnpm plugin's pnpmfile that is not installed here leaves the checksum unknown
  if (settings.unjudged?.pnpmfile === undefined && lockfile.pnpmfileChecksum !== settings.pnpmfileChecksum.value) {
    push({
      code: 'PNPMFILE_CHANGED',
      field: 'pnpmfileChecksum',
      manifest: settings.pnpmfileChecksum.value ?? null,
      lockfile: lockfile.pnpmfileChecksum ?? null,
      file: settings.pnpmfileChecksum.file,
      message:
        settings.pnpmfileChecksum.value === undefined
          ? 'pnpm-lock.yaml records a pnpmfile checksum, but the repo has no pnpmfile with hooks any more'
          : `${settings.pnpmfileChecksum.file ?? 'the pnpmfile'} changed since pnpm-lock.yaml was written`,
    });
  }

  setting(
    'injectWorkspacePackages',
    rules.comparesDedupeAndInject &&
      Boolean(recorded.injectWorkspacePackages) !== Boolean(injectWorkspacePackages.value),
    injectWorkspacePackages.value,
    recorded.injectWorkspacePackages,
    injectWorkspacePackages.file,
  );
  return findings;
}

/**
 * Whether a configured patch matches the lockfile's record: `{hash, path}` for pnpm 9 and 10;
 * pnpm 11 and 12 record the hash alone, and read an older `{hash, path}` record by its hash.
 */
function samePatch(now: { hash: string | undefined; path: string }, then: unknown, rules: PnpmRules): boolean {
  if (rules.patchRecord === 'hash-and-path') return deepEqual(now, then);
  const recorded =
    typeof then === 'string'
      ? then
      : typeof then === 'object' && then !== null
        ? (then as { hash?: unknown }).hash
        : undefined;
  return recorded === now.hash;
}

/**
 * When a setting the lockfile records is configured where this major does not read it, the
 * finding says so: pnpm 11 reads overrides and patches only from pnpm-workspace.yaml, pnpm 9
 * only from the root package.json, and pnpm 11 reads no peer setting from .npmrc.
 */
function ignoredSourceNote(settings: PnpmSettings, rules: PnpmRules): (key: string) => string {
  return (key) => {
    const file = settings.ignored?.[key];
    if (file === undefined) return '';
    const reads =
      key === 'overrides' ||
      key === 'patchedDependencies' ||
      key === 'packageExtensions' ||
      key === 'ignoredOptionalDependencies'
        ? rules.projectSettings === 'workspace'
          ? 'pnpm-workspace.yaml'
          : rules.projectSettings === 'manifest'
            ? 'the root package.json'
            : 'package.json or pnpm-workspace.yaml'
        : rules.settingsFromNpmrc
          ? '.npmrc'
          : 'pnpm-workspace.yaml';
    return ` (pnpm ${rules.major} reads ${key} only from ${reads}; ${file} sets it, which pnpm ${rules.major} ignores)`;
  };
}
