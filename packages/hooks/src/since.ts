import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DevkitError, usageError } from '@devkit/core';
import { execGit, splitNul } from './git-exec.js';

/**
 * Files added, copied, modified or renamed between the merge base of `ref` and HEAD, plus
 * uncommitted edits — what a branch changes, as CI sees it — and still present on disk.
 */
export async function readChangedSince(top: string, ref: string): Promise<string[]> {
  if (ref.startsWith('-'))
    throw usageError('E_BAD_REF', `${JSON.stringify(ref)} is not a git ref`, {
      hint: 'devkit lint --since origin/main',
    });
  let base: string;
  try {
    base = (await execGit(top, ['merge-base', ref, 'HEAD'])).toString('utf8').trim();
  } catch (error) {
    const known = await execGit(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).then(
      () => true,
      () => false,
    );
    if (!known) {
      throw usageError('E_BAD_REF', `${JSON.stringify(ref)} is not a commit in this clone`, {
        hint: `git fetch origin ${ref.replace(/^origin\//, '')} (CI checkouts are often shallow: fetch with enough depth, e.g. fetch-depth: 0)`,
        cause: error,
      });
    }
    throw new DevkitError('E_NO_MERGE_BASE', 2, `${ref} and HEAD have no common commit in this clone`, {
      hint: 'git fetch --unshallow (or check out with fetch-depth: 0)',
      cause: error,
    });
  }
  // --raw gives the new mode: symlinks and submodules are left out like in the pre-commit hook.
  const fields = splitNul(
    await execGit(top, ['diff', '--raw', '-z', '--no-renames', '--diff-filter=ACMRT', base, '--']),
  );
  const paths: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const newMode = fields[i]!.split(' ')[1];
    if (newMode === '100644' || newMode === '100755') paths.push(fields[i + 1]!);
  }
  return paths.filter((path) => existsSync(join(top, path)));
}

/** Every tracked file present on disk (`devkit lint` with no scope). */
export async function readTrackedFiles(top: string): Promise<string[]> {
  // -s: `<mode> <oid> <stage>\t<path>`, to keep regular files only.
  const paths: string[] = [];
  for (const record of splitNul(await execGit(top, ['ls-files', '-s', '-z']))) {
    const tab = record.indexOf('\t');
    const mode = record.slice(0, 6);
    if ((mode === '100644' || mode === '100755') && record[tab - 1] === '0') paths.push(record.slice(tab + 1));
  }
  return paths.filter((path) => existsSync(join(top, path)));
}

/** Every path in the index (what the next commit holds), relative to the git top. */
export async function readIndexPaths(top: string): Promise<string[]> {
  return splitNul(await execGit(top, ['ls-files', '-z']));
}
