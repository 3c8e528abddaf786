import { isDevkitError } from '@devkit/core';
import type { DevkitConfig, HookCheck } from '@devkit/config';
import { commandCheck, type HookFinding, type RepoCheck } from '@devkit/hooks';
import type { LockfileFinding } from '@devkit/lockfile';
import { choosePnpmMajor } from '../flows/pnpm-major.js';

/** Files whose change can make pnpm-lock.yaml drift from what pnpm would resolve. */
const LOCKFILE_INPUTS = new Set(['pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc', '.pnpmfile.cjs']);

/** Whether a changed path (relative to the repo root) concerns the lockfile check. */
export function touchesLockfile(path: string): boolean {
  return (
    LOCKFILE_INPUTS.has(path) ||
    path === 'package.json' ||
    path.endsWith('/package.json') ||
    path.startsWith('patches/')
  );
}

/** A lockfile finding as the hook reports it: where, what, and the command that fixes it. */
function fromLockfileFinding(finding: LockfileFinding): HookFinding {
  const inLockfile = finding.line !== undefined;
  return {
    check: 'lockfile',
    code: finding.code,
    severity: 'error',
    file: inLockfile ? 'pnpm-lock.yaml' : finding.file,
    line: finding.line,
    message: finding.message,
    fix: finding.fix,
  };
}

/**
 * The lockfile check (@devkit/lockfile), adapted to the hook runner: it reads the lockfile, the
 * manifests and pnpm's settings through the runner's reader — in a pre-commit hook the git
 * index — and finds the workspace's manifests among the files of that same snapshot. Input pnpm
 * could not read either (conflict markers, invalid YAML) is a finding here, so the commit is
 * blocked with the message rather than the hook failing.
 */
function lockfileCheck(options: CheckOptions): RepoCheck {
  return {
    name: 'lockfile',
    appliesTo: (files) => files.some(touchesLockfile),
    run: async (ctx): Promise<HookFinding[]> => {
      const { checkLockfile, inspectRepo, listedManifests } = await import('@devkit/lockfile');
      const listed = await ctx.listFiles();
      try {
        const pnpm = await choosePnpmMajor(ctx.root, options.config, options.env);
        const repo = await inspectRepo({
          pnpm,
          root: ctx.root,
          readFile: (path) => ctx.reader.readFile(path),
          findManifests: listed ? listedManifests(listed) : undefined,
          env: options.env,
          allowedRegistries: options.config.lockfile?.registries,
        });
        return checkLockfile(repo).map(fromLockfileFinding);
      } catch (error) {
        if (!isDevkitError(error)) throw error;
        const details = error.details ?? {};
        return [
          {
            check: 'lockfile',
            code: error.code,
            severity: 'error',
            file: typeof details.file === 'string' ? details.file : undefined,
            line: typeof details.line === 'number' ? details.line : undefined,
            message: error.message,
            fix: error.hint,
          },
        ];
      }
    },
  };
}

export interface CheckOptions {
  config: DevkitConfig;
  env: Readonly<Record<string, string | undefined>>;
  /** The hook's own arguments (commit-msg: the message file), for command entries. */
  hookArgs?: readonly string[] | undefined;
}

/** One entry of a hook's list in devkit.json: a check's name, or a command. */
export type HookEntry = NonNullable<NonNullable<DevkitConfig['hooks']>['pre-commit']>[number];

/**
 * Checks other than the lint-staged tasks (which the runner itself carries), by their
 * devkit.json name. A Record over every name, so a check added to the schema and not wired here
 * fails to compile.
 */
const REGISTRY: Record<HookCheck, ((options: CheckOptions) => RepoCheck) | 'tasks'> = {
  'lint-staged': 'tasks',
  lint: 'tasks',
  lockfile: lockfileCheck,
};

/**
 * Loads the registered checks a hook lists, in its order: checks by name (lint-staged and lint
 * are run by the runner itself) and command entries.
 */
export function loadChecks(names: readonly HookEntry[], options: CheckOptions): RepoCheck[] {
  const checks: RepoCheck[] = [];
  for (const name of names) {
    if (typeof name !== 'string') {
      checks.push(commandCheck(name, { hookArgs: options.hookArgs, env: { ...options.env } }));
      continue;
    }
    const entry = REGISTRY[name];
    if (entry !== 'tasks') checks.push(entry(options));
  }
  return checks;
}
