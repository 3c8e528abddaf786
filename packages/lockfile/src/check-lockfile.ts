import { checkImporter } from './check-importers.js';
import { checkReferences } from './check-references.js';
import { checkResolutions } from './check-resolutions.js';
import { checkSettings } from './check-settings.js';
import { parseOverrides } from './overrides.js';
import { effectiveManifest } from './project-manifest.js';
import { checkConfigDependencies, checkPackageManagerPin } from './config-dependencies.js';
import { pnpmRules, DEFAULT_PNPM_MAJOR } from './pnpm-major.js';
import type { LockfileCheckInput, LockfileFinding, ParsedLockfile, PnpmSettings } from './types.js';

/**
 * Checks a lockfile against the repo's manifests and settings. Pure: everything comes in as
 * data (see `inspectRepo` for the loader), and every finding is returned — drift exactly as
 * `pnpm install --frozen-lockfile` of the repo's pnpm major (`input.pnpm`, default 10) judges
 * it, then integrity, then registries.
 */
export function checkLockfile(input: LockfileCheckInput): LockfileFinding[] {
  const { lockfile } = input;
  const settings = withRunTimeConfig(input.settings, lockfile);
  const rules = pnpmRules(input.pnpm?.major ?? DEFAULT_PNPM_MAJOR, input.pnpm?.source);
  const parsedOverrides = parseOverrides(
    settings.overrides.value,
    settings.catalogs.value,
    settings.overrides.file ?? 'package.json',
  );
  const overrides = Object.fromEntries(parsedOverrides.map((o) => [o.selector, o.spec]));
  const findings = checkSettings(lockfile, settings, overrides, rules);
  if (rules.checksConfigDependencies) findings.push(...checkConfigDependencies(lockfile, settings, rules));
  if (rules.checksPackageManagerPin) {
    const root = input.projects.find((project) => project.id === '.');
    findings.push(...checkPackageManagerPin(lockfile, root?.manifest ?? {}, settings, rules));
  }
  // pnpm tests these two for truthiness when it compares projects
  const options = {
    autoInstallPeers: Boolean(settings.autoInstallPeers.value),
    excludeLinksFromLockfile: Boolean(settings.excludeLinksFromLockfile.value),
    gitSpecifierEquivalence: rules.gitSpecifierEquivalence,
    checkLockedVersions: rules.checksLockedVersions,
  };
  for (const project of [...input.projects].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const manifest = effectiveManifest(project.manifest, project.id, {
      packageExtensions: settings.packageExtensions.value,
      overrides: parsedOverrides,
      ignoredOptionalDependencies: settings.ignoredOptionalDependencies.value,
      runtimeDependencies: rules.runtimeDependencies,
    });
    const importer = lockfile.importers[project.id];
    if (rules.skipsUnlockedOptionals && manifest.optionalDependencies) {
      for (const name of Object.keys(manifest.optionalDependencies))
        if (importer?.specifiers[name] === undefined) delete manifest.optionalDependencies[name];
    }
    findings.push(...checkImporter(project, manifest, importer, options));
  }
  // pnpm 8's 6.x lockfiles (which pnpm 9 still reads) keep dependencies in `packages:`, with no `snapshots:`
  if (!lockfile.lockfileVersion.startsWith('6.')) findings.push(...checkReferences(lockfile));
  const allowed = input.allowedRegistries ?? Object.values(settings.registries.value);
  findings.push(...checkResolutions(lockfile.packages, settings.registries.value, allowed));
  return findings;
}

/**
 * When an updateConfig hook may add catalogs and overrides at run time (see
 * `PnpmSettings.unjudged`), the ones the lockfile records and the repo's files do not mention
 * are taken to come from it: devkit cannot run the hook, and reporting them as removed would
 * block every commit of such a repo. Entries the files do set are still compared.
 */
function withRunTimeConfig(settings: PnpmSettings, lockfile: ParsedLockfile): PnpmSettings {
  if (settings.unjudged?.config === undefined) return settings;
  const catalogs: Record<string, Record<string, string>> = {};
  for (const [name, entries] of Object.entries(settings.catalogs.value)) catalogs[name] = { ...entries };
  for (const [name, entries] of Object.entries(lockfile.catalogs ?? {})) {
    for (const [dependency, entry] of Object.entries(entries ?? {})) {
      if (catalogs[name]?.[dependency] !== undefined || typeof entry?.specifier !== 'string') continue;
      (catalogs[name] ??= {})[dependency] = entry.specifier;
    }
  }
  const overrides = { ...settings.overrides.value };
  for (const [selector, spec] of Object.entries(lockfile.overrides ?? {})) overrides[selector] ??= spec;
  return {
    ...settings,
    catalogs: { ...settings.catalogs, value: catalogs },
    overrides: { ...settings.overrides, value: overrides },
  };
}
