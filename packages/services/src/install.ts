import { readFileSync } from 'node:fs';
import { DevkitError, runCommand } from '@devkit/core';
import type { PackageManager, ServiceKind } from './runner.js';
import { RUNNERS } from './runners/index.js';

/** The package manager of this machine: brew on macOS, apt or dnf by /etc/os-release. */
export function detectPackageManager(
  platform: NodeJS.Platform = process.platform,
  osRelease?: string,
): PackageManager | undefined {
  if (platform === 'darwin') return 'brew';
  if (platform !== 'linux') return undefined;
  let text = osRelease;
  if (text === undefined) {
    try {
      text = readFileSync('/etc/os-release', 'utf8');
    } catch {
      return undefined;
    }
  }
  const ids = `${/^ID=(.*)$/m.exec(text)?.[1] ?? ''} ${/^ID_LIKE=(.*)$/m.exec(text)?.[1] ?? ''}`.replace(/"/g, '');
  if (/\b(debian|ubuntu)\b/.test(ids)) return 'apt';
  if (/\b(fedora|rhel|centos)\b/.test(ids)) return 'dnf';
  return undefined;
}

export interface InstallPlan {
  manager: PackageManager;
  packages: string[];
  /** The exact command, for messages: `sudo apt-get install -y postgresql-15 redis-server`. */
  command: string;
  argv: string[];
}

/** The command that installs the packages providing these services' binaries. Pure. */
export function planInstall(
  missing: ReadonlyArray<{ kind: ServiceKind; declared: string }>,
  manager: PackageManager,
  isRoot: boolean,
): InstallPlan {
  const packages = [...new Set(missing.map((m) => RUNNERS[m.kind].packages[manager](m.declared)))];
  const sudo = isRoot || manager === 'brew' ? [] : ['sudo'];
  const argv =
    manager === 'apt'
      ? [...sudo, 'apt-get', 'install', '-y', '--no-install-recommends', ...packages]
      : manager === 'dnf'
        ? [...sudo, 'dnf', 'install', '-y', ...packages]
        : ['brew', 'install', ...packages];
  return { manager, packages, argv, command: argv.join(' ') };
}

/**
 * Runs an install plan (apt only: brew and dnf are named in messages but left to the user).
 * Debian's package scripts do not start daemons in containers, and when they do elsewhere the
 * system copies listen on their default ports, which devkit's per-checkout ports avoid.
 */
export async function applyInstall(plan: InstallPlan, env: NodeJS.ProcessEnv): Promise<void> {
  if (plan.manager !== 'apt') {
    throw new DevkitError(
      'E_SERVICE_INSTALL_UNSUPPORTED',
      3,
      `devkit installs packages with apt only; install these yourself: ${plan.command}`,
      { hint: plan.command },
    );
  }
  const run = (argv: string[]) =>
    runCommand(argv[0]!, argv.slice(1), {
      cwd: '/',
      env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
      extendEnv: false,
      failure: { code: 'E_SERVICE_INSTALL_FAILED', exitCode: 3, hint: plan.command },
    });
  const sudo = plan.argv[0] === 'sudo' ? ['sudo', '-n'] : [];
  const base = plan.argv[0] === 'sudo' ? plan.argv.slice(1) : plan.argv;
  try {
    await run([...sudo, ...base]);
  } catch {
    // The package index may be missing or stale (fresh containers ship without one): refresh once.
    await run([...sudo, 'apt-get', 'update', '-qq']);
    await run([...sudo, ...base]);
  }
}
