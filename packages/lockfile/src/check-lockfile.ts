import { checkImporter } from './check-importers.js';
import { checkReferences } from './check-references.js';
import { checkResolutions } from './check-resolutions.js';
import { checkSettings } from './check-settings.js';
import { parseOverrides } from './overrides.js';
import { effectiveManifest } from './project-manifest.js';
import { checkConfigDependencies, checkPackageManagerPin } from './config-dependencies.js';
import { pnpmRules, DEFAULT_PNPM_MAJOR } from './pnpm-major.js';
import type { LockfileCheckInput, LockfileFinding } from './types.js';

/**
 * Checks a lockfile against the repo's manifests and settings. Pure: everything comes in as
 * data (see `inspectRepo` for the loader), and every finding is returned — drift exactly as
 * `pnpm install --frozen-lockfile` of the repo's pnpm major (`input.pnpm`, default 10) judges
 * it, then integrity, then registries.
 */
export function checkLockfile(input: LockfileCheckInput): LockfileFinding[] {
  const { lockfile, settings } = input;
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
