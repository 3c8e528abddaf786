import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '@devkit/core';

/**
 * The folder a command acts on: `--cwd <dir>` (relative to the current folder), else the current
 * folder. One that does not exist, or is not a folder, is a usage error (exit 2) before any
 * command runs: otherwise each command would meet it in its own way, and some (a check over
 * nothing) would even succeed.
 */
export function resolveCwd(given: string | undefined): string {
  let current: string;
  try {
    current = process.cwd();
  } catch (error) {
    // The shell's current folder was removed under it (uv_cwd fails with ENOENT).
    if (given === undefined || !given.startsWith('/'))
      throw usageError('E_CWD_MISSING', 'the current folder no longer exists', {
        cause: error,
        hint: 'cd into an existing folder (or pass --cwd <dir> with an absolute path) and run devkit again',
      });
    current = '/';
  }
  if (given === undefined) return current;
  const dir = resolve(current, given);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw usageError('E_CWD_MISSING', `--cwd ${given}: no such folder (${dir})`, {
      cause: error,
      hint: 'pass --cwd the folder of an existing repo (check the path for a typo)',
    });
  }
  if (!isDirectory)
    throw usageError('E_CWD_MISSING', `--cwd ${given}: ${dir} is a file, not a folder`, {
      hint: `pass --cwd the folder that holds it: --cwd ${resolve(dir, '..')}`,
    });
  return dir;
}
