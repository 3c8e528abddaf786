import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findingError, isCommandError, machineError, runCommand } from '@devkit/core';
import { detectPackageManager, planInstall } from './install.js';
import type { LocatedBinary, PackageManager, ServiceKind } from './runner.js';
import { RUNNERS } from './runners/index.js';
import { parseVersionOutput, versionMatches } from './version.js';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The version a binary prints (some print it on stderr, some exit non-zero after printing it). */
async function versionOf(path: string, args: readonly string[]): Promise<string | undefined> {
  try {
    const result = await runCommand(path, args, { cwd: '/', engine: 'node', timeoutMs: 10_000, reject: false });
    return parseVersionOutput(`${result.stdout}\n${result.stderr}`);
  } catch (error) {
    if (isCommandError(error)) return parseVersionOutput(error.output);
    throw error;
  }
}

/** Candidate paths of a service's binary: PATH first, then the runner's versioned folders. Pure. */
export function binaryCandidates(kind: ServiceKind, declared: string, pathEnv: string | undefined): string[] {
  const runner = RUNNERS[kind];
  const dirs = [...(pathEnv ?? '').split(delimiter).filter(Boolean), ...runner.searchDirs(declared)];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of dirs)
    for (const name of runner.binaries) {
      const path = join(dir, name);
      if (!seen.has(path)) {
        seen.add(path);
        out.push(path);
      }
    }
  return out;
}

/** Every install command, for a message that must work on any machine. */
export function installHint(
  kind: ServiceKind,
  declared: string,
  manager: PackageManager | undefined,
  isRoot: boolean,
): string {
  const missing = [{ kind, declared }];
  if (manager) return planInstall(missing, manager, isRoot).command;
  return (['apt', 'brew', 'dnf'] as const).map((m) => planInstall(missing, m, false).command).join('   or   ');
}

export interface LocateResult {
  found: LocatedBinary | undefined;
  /** Executables found whose version does not match, for the mismatch message. */
  others: LocatedBinary[];
}

/** Looks for the binary of a service and reports the versions found. */
export async function findBinary(kind: ServiceKind, declared: string, env: NodeJS.ProcessEnv): Promise<LocateResult> {
  const runner = RUNNERS[kind];
  const others: LocatedBinary[] = [];
  for (const path of binaryCandidates(kind, declared, env.PATH)) {
    if (!executable(path)) continue;
    const version = await versionOf(path, runner.versionArgs);
    if (version === undefined) continue;
    if (versionMatches(declared, version)) return { found: { path, version }, others };
    others.push({ path, version });
  }
  return { found: undefined, others };
}

/**
 * The binary that runs a service at the declared version. Throws exit 3 when there is none
 * (with the install command for this OS), exit 1 when only another version is installed.
 */
export async function locateBinary(
  kind: ServiceKind,
  declared: string,
  env: NodeJS.ProcessEnv,
): Promise<LocatedBinary> {
  const { found, others } = await findBinary(kind, declared, env);
  if (found) return found;
  const runner = RUNNERS[kind];
  const isRoot = process.getuid?.() === 0;
  const hint = installHint(kind, declared, detectPackageManager(), isRoot);
  if (others.length > 0) {
    const first = others[0]!;
    throw findingError(
      'E_SERVICE_VERSION',
      `services.${kind}.version is ${declared}, but the installed ${runner.title} is ${first.version} (${first.path})${
        others.length > 1
          ? `; also found ${others
              .slice(1)
              .map((o) => `${o.version} (${o.path})`)
              .join(', ')}`
          : ''
      }`,
      {
        hint: `install ${runner.title} ${declared}: ${hint}   — or, if production runs ${first.version}, set services.${kind}.version to "${first.version.split('.').slice(0, declared.split('.').length).join('.')}" in devkit.json`,
        details: { service: kind, declared, found: others },
      },
    );
  }
  throw machineError(
    'E_SERVICE_BINARY_MISSING',
    `${runner.title} (${runner.binaries.join(' or ')}) was not found on PATH or in ${runner.searchDirs(declared).slice(0, 2).join(', ')}`,
    {
      hint: `${hint}   (or \`devkit bootstrap --yes\` installs it)`,
      details: { service: kind, declared },
    },
  );
}
