import type { HookCheck } from '@devkit/config';
import type { HookFinding, RepoCheck } from '@devkit/hooks';

/** Files whose change can make pnpm-lock.yaml drift from what pnpm would resolve. */
const LOCKFILE_INPUTS = new Set(['pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc', '.pnpmfile.cjs']);

/** Whether a changed path (relative to the repo root) concerns the lockfile check. */
export function touchesLockfile(path: string): boolean {
  return LOCKFILE_INPUTS.has(path) || path === 'package.json' || path.endsWith('/package.json') || path.startsWith('patches/');
}

/**
 * The lockfile check, adapted to the hook runner: the runner hands it a reader of the staged
 * content, so what is checked is the lockfile and manifests as they will be committed.
 * Until @devkit/lockfile is part of the build the check says it did not run rather than pass.
 */
async function lockfileCheck(): Promise<RepoCheck> {
  return {
    name: 'lockfile',
    appliesTo: (files) => files.some(touchesLockfile),
    run: async (): Promise<HookFinding[]> => [
      {
        check: 'lockfile',
        code: 'lockfile-check-unavailable',
        severity: 'warning',
        message: 'the lockfile check is not part of this devkit build: the staged pnpm-lock.yaml and package.json files were not checked',
        fix: 'pnpm install --frozen-lockfile --lockfile-only',
      },
    ],
  };
}

/**
 * Checks other than the lint-staged tasks (which the runner itself carries), by their
 * devkit.json name. A Record over every name, so a check added to the schema and not wired here
 * fails to compile.
 */
const REGISTRY: Record<HookCheck, (() => Promise<RepoCheck>) | 'tasks'> = {
  'lint-staged': 'tasks',
  lint: 'tasks',
  lockfile: lockfileCheck,
};

/** Loads the registered checks a hook names (lint-staged and lint are run by the runner itself). */
export async function loadChecks(names: readonly HookCheck[]): Promise<RepoCheck[]> {
  const checks: RepoCheck[] = [];
  for (const name of names) {
    const entry = REGISTRY[name];
    if (entry !== 'tasks') checks.push(await entry());
  }
  return checks;
}
