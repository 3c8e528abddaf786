import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestParts, DevkitError, runCommand, type Step, type StepCheck } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import { findPnpm } from './detect.js';
import { lockfileImporterPaths } from '@devkit/lockfile/importers';

const LOCKFILE = 'pnpm-lock.yaml';

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/**
 * Everything a frozen install reads or writes that decides whether it has work to do: the
 * lockfile, workspace settings, every importer's manifest, and pnpm's own record of what is
 * installed (node_modules/.modules.yaml and the current lockfile it keeps in .pnpm).
 */
export function dependenciesFingerprint(root: string): string {
  const lockfile = readOrNull(join(root, LOCKFILE));
  const importers = lockfile ? lockfileImporterPaths(lockfile.toString('utf8')) : ['.'];
  const parts: Array<[string, Buffer | null]> = [
    [LOCKFILE, lockfile],
    ['pnpm-workspace.yaml', readOrNull(join(root, 'pnpm-workspace.yaml'))],
    ['.npmrc', readOrNull(join(root, '.npmrc'))],
    ['.pnpmfile.cjs', readOrNull(join(root, '.pnpmfile.cjs'))],
    ['.modules.yaml', readOrNull(join(root, 'node_modules', '.modules.yaml'))],
    ['.pnpm/lock.yaml', readOrNull(join(root, 'node_modules', '.pnpm', 'lock.yaml'))],
  ];
  for (const importer of importers)
    parts.push([`${importer}/package.json`, readOrNull(join(root, importer, 'package.json'))]);
  return digestParts(parts);
}

/** Bootstrap step: dependencies installed exactly as the lockfile says. */
export const dependenciesStep: Step<ProjectContext> = {
  id: 'dependencies',
  title: 'dependencies',
  async fingerprint(ctx) {
    // The pnpm that installs is part of the input: a new pin (pnpm 10 → 11) installs again.
    return digestParts([
      ['dependencies', dependenciesFingerprint(ctx.root)],
      ['pnpm', findPnpm(ctx.env).identity],
    ]);
  },
  async check(ctx): Promise<StepCheck> {
    const { root } = ctx;
    if (!existsSync(join(root, 'package.json'))) {
      return { upToDate: true, summary: 'no package.json: nothing to install', problems: [] };
    }
    if (!existsSync(join(root, LOCKFILE))) {
      return {
        upToDate: false,
        summary: `no ${LOCKFILE}`,
        problems: [
          {
            code: 'E_LOCKFILE_MISSING',
            kind: 'blocking',
            exitCode: 1,
            message: `${LOCKFILE} is missing in ${root}: a frozen install needs it`,
            fix: `pnpm install && git add ${LOCKFILE}`,
          },
        ],
      };
    }
    if (!existsSync(join(root, 'node_modules', '.modules.yaml'))) {
      return {
        upToDate: false,
        summary: 'dependencies are not installed',
        problems: [
          {
            code: 'W_DEPS_NOT_INSTALLED',
            kind: 'fixable',
            message: 'dependencies are not installed',
            fix: 'devkit bootstrap',
          },
        ],
      };
    }
    return {
      upToDate: false,
      summary: 'lockfile or manifests changed since the last install',
      problems: [
        {
          code: 'W_DEPS_STALE',
          kind: 'fixable',
          message: 'the lockfile, a manifest or node_modules changed since devkit last installed',
          fix: 'devkit bootstrap',
        },
      ],
    };
  },
  async run(ctx) {
    try {
      await runCommand('pnpm', ['install', '--frozen-lockfile'], {
        cwd: ctx.root,
        env: { ...ctx.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
        reporter: ctx.reporter,
        source: 'pnpm',
        failure: {
          code: 'E_INSTALL_FAILED',
          exitCode: 1,
          hint: 'fix the error above, then run `devkit bootstrap` again',
        },
        missingHint:
          'pin pnpm in package.json ("packageManager": "pnpm@10.34.9") and run `devkit bootstrap`, which provisions it',
      });
    } catch (error) {
      if (
        error instanceof DevkitError &&
        /ERR_PNPM_OUTDATED_LOCKFILE|ERR_PNPM_LOCKFILE_CONFIG_MISMATCH/.test(String(error.details?.output ?? ''))
      ) {
        throw new DevkitError(
          'E_LOCKFILE_OUTDATED',
          1,
          `${LOCKFILE} does not match the package.json files, so a frozen install refuses it`,
          {
            hint: `pnpm install && git add ${LOCKFILE}   (then commit the updated lockfile)`,
            cause: error,
            details: error.details,
          },
        );
      }
      throw error;
    }
  },
};
