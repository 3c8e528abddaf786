import type { PnpmRules } from './pnpm-major.js';
import type { LockfileFinding, ParsedLockfile, PnpmSettings } from './types.js';

/**
 * pnpm 11 and 12 keep config dependencies (pnpm-workspace.yaml `configDependencies`) in the
 * lockfile's env document; a frozen install fails when one is missing there, has another
 * specifier, or has no package entry for its version (FROZEN_LOCKFILE_WITH_OUTDATED_LOCKFILE),
 * and also when one is still written in the old inline-integrity form pnpm would migrate into
 * the env document (`1.0.0+sha512-…` or an object).
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
  return findings;
}
