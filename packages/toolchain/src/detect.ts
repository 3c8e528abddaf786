import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { runCommand } from '@devkit/core';

export interface PnpmInstall {
  /** Absolute path of the `pnpm` found on PATH, or undefined when there is none. */
  path: string | undefined;
  realPath: string | undefined;
  /** A cheap identity of the binary (real path, size, mtime) for fingerprints. */
  identity: string;
}

/** Finds `pnpm` on PATH without starting a process. */
export function findPnpm(env: NodeJS.ProcessEnv): PnpmInstall {
  const names = process.platform === 'win32' ? ['pnpm.cmd', 'pnpm.exe', 'pnpm'] : ['pnpm'];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (!existsSync(candidate)) continue;
      const realPath = realpathSync(candidate);
      const stat = statSync(realPath);
      return { path: candidate, realPath, identity: `${realPath}:${stat.size}:${stat.mtimeMs}` };
    }
  }
  return { path: undefined, realPath: undefined, identity: 'none' };
}

/**
 * The version of a pnpm install: read from the package.json beside its entry point when it is
 * a plain npm-installed pnpm or the standalone `@pnpm/exe.<os>-<arch>` (no process start),
 * otherwise by asking it (`pnpm --version`).
 */
export async function pnpmVersion(
  install: PnpmInstall,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  if (!install.path || !install.realPath) return undefined;
  for (let dir = dirname(install.realPath), i = 0; i < 3; i++, dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if ((pkg.name === 'pnpm' || pkg.name?.startsWith('@pnpm/exe') === true) && pkg.version) return pkg.version;
    } catch {
      // not pnpm's own manifest; ask the binary instead
    }
    break;
  }
  const { stdout } = await runCommand(install.path, ['--version'], {
    cwd,
    env: { ...env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    timeoutMs: 30_000,
  });
  return stdout.trim().split('\n').pop();
}
