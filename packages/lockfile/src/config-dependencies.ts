import type { PnpmRules } from './pnpm-major.js';
import type { LockfileFinding, ParsedLockfile, PnpmSettings, ProjectManifest } from './types.js';

/**
 * pnpm 11 and 12 keep config dependencies (pnpm-workspace.yaml `configDependencies`) in the
 * lockfile's env document; a frozen install fails when one is missing there, has another
 * specifier, or has no package entry for its version (FROZEN_LOCKFILE_WITH_OUTDATED_LOCKFILE),
 * and also when one is still written in the old inline-integrity form pnpm would migrate into
 * the env document (`1.0.0+sha512-…` or an object), or when the env document records one
 * pnpm-workspace.yaml no longer lists.
 */
export function checkConfigDependencies(
  lockfile: ParsedLockfile,
  settings: PnpmSettings,
  rules: PnpmRules,
): LockfileFinding[] {
  const findings: LockfileFinding[] = [];
  const recorded = lockfile.env?.configDependencies ?? {};
  const packages = new Set(lockfile.env?.packages ?? []);
  for (const [name, value] of Object.entries(settings.configDependencies ?? {})) {
    const entry = recorded[name];
    const inline = typeof value === 'object' || (typeof value === 'string' && value.includes('+'));
    if (inline) {
      if (entry !== undefined) continue;
    } else if (entry !== undefined && entry.specifier === value && packages.has(`${name}@${entry.version}`)) continue;
    findings.push({
      code: 'CONFIG_DEPENDENCIES_CHANGED',
      kind: 'drift',
      field: 'configDependencies',
      dependency: name,
      manifest: value ?? null,
      lockfile: entry?.specifier ?? null,
      file: 'pnpm-workspace.yaml',
      message:
        entry === undefined
          ? `config dependency ${name} (pnpm-workspace.yaml) is not in pnpm-lock.yaml's env document, which pnpm ${rules.major} reads config dependencies from`
          : entry.specifier === value
            ? `config dependency ${name} ${entry.version} has no package entry in pnpm-lock.yaml's env document`
            : `config dependency ${name} is ${JSON.stringify(value)} in pnpm-workspace.yaml but ${JSON.stringify(entry.specifier)} in pnpm-lock.yaml's env document`,
      fix: 'pnpm install',
    });
  }
  // one recorded but no longer configured: pnpm would prune the env document, which a frozen install refuses
  for (const [name, entry] of Object.entries(recorded)) {
    if (settings.configDependencies?.[name] !== undefined) continue;
    findings.push({
      code: 'CONFIG_DEPENDENCIES_CHANGED',
      kind: 'drift',
      field: 'configDependencies',
      dependency: name,
      manifest: null,
      lockfile: entry.specifier,
      file: 'pnpm-workspace.yaml',
      message: `pnpm-lock.yaml's env document records the config dependency ${name} ${JSON.stringify(entry.specifier)}, which pnpm-workspace.yaml no longer lists`,
      fix: 'pnpm install',
    });
  }
  return findings;
}

/** The pnpm a manifest pins, as pnpm 11 reads it: `devEngines.packageManager` first, else `packageManager`. */
function pnpmPin(manifest: ProjectManifest): { version: string; onFail: unknown; fromDevEngines: boolean } | undefined {
  const devEngines = manifest.devEngines;
  const entries =
    typeof devEngines === 'object' && devEngines !== null
      ? (devEngines as { packageManager?: unknown }).packageManager
      : undefined;
  if (entries != null) {
    const list = (Array.isArray(entries) ? entries : [entries]) as unknown[];
    const pnpm = list.find(
      (entry): entry is { name: string; version?: unknown; onFail?: unknown } =>
        typeof entry === 'object' && entry !== null && (entry as { name?: unknown }).name === 'pnpm',
    );
    if (pnpm === undefined) return undefined;
    return typeof pnpm.version === 'string'
      ? { version: pnpm.version, onFail: pnpm.onFail, fromDevEngines: true }
      : undefined;
  }
  const field = typeof manifest.packageManager === 'string' ? /^pnpm@([^+]+)/.exec(manifest.packageManager) : null;
  return field ? { version: field[1]!, onFail: undefined, fromDevEngines: false } : undefined;
}

/**
 * pnpm 11 and 12 record the pnpm a repo pins in the env document
 * (`importers['.'].packageManagerDependencies.pnpm`, with its package and snapshot) when the
 * pin comes from `devEngines.packageManager`, or is an exact `packageManager` version of pnpm 12
 * or later — unless pnpm-workspace.yaml's `pmOnFail` or the pin's `onFail` is `ignore`. A frozen
 * install fails when it is not recorded (pnpm 11.28's pinDecision and resolvePackageManagerIntegrities).
 */
export function checkPackageManagerPin(
  lockfile: ParsedLockfile,
  rootManifest: ProjectManifest,
  settings: PnpmSettings,
  rules: PnpmRules,
): LockfileFinding[] {
  const pin = pnpmPin(rootManifest);
  if (pin === undefined) return [];
  const onFail = settings.pmOnFail ?? pin.onFail ?? 'download';
  if (onFail === 'ignore') return [];
  const exact = /^\d+\.\d+\.\d+(?:-[\w.]+)?$/.test(pin.version.trim());
  if (!pin.fromDevEngines && !(exact && Number.parseInt(pin.version, 10) >= 12)) return [];
  const recorded = lockfile.env?.packageManagerDependencies.pnpm;
  const packages = new Set(lockfile.env?.packages ?? []);
  const snapshots = new Set(lockfile.env?.snapshots ?? []);
  const matches =
    recorded !== undefined &&
    (exact ? recorded.version === pin.version.trim() : true) &&
    packages.has(`pnpm@${recorded.version}`) &&
    snapshots.has(`pnpm@${recorded.version}`);
  if (matches) return [];
  const where = pin.fromDevEngines ? 'package.json devEngines.packageManager' : 'package.json packageManager';
  return [
    {
      code: 'PACKAGE_MANAGER_PIN_CHANGED',
      kind: 'drift',
      field: 'packageManagerDependencies',
      dependency: 'pnpm',
      manifest: pin.version,
      lockfile: recorded?.version ?? null,
      file: 'package.json',
      message:
        recorded === undefined
          ? `${where} pins pnpm ${pin.version}, which pnpm ${rules.major} records in pnpm-lock.yaml's env document, but it is not there`
          : `${where} pins pnpm ${pin.version}, but pnpm-lock.yaml's env document records pnpm ${recorded.version}`,
      fix: 'pnpm install',
    },
  ];
}
