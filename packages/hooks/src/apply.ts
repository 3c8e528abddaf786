import { execGit } from './git-exec.js';
import type { FileUpdate } from './run-tasks.js';
import { writeKeepingMode } from './working-copy.js';

export interface AppliedFix {
  file: string;
  /** `index+worktree` for a fully staged file; `index` for a partially staged one (its working copy is left as it was). */
  where: 'index' | 'index+worktree';
}

/**
 * Puts fixes into the commit. A fully staged file gets the fix in its working copy and is
 * re-staged (`git add`); a partially staged file gets it in the index only (a new blob and
 * `git update-index`), so its unstaged changes stay exactly where they were. No other file is
 * written. At most three git processes, however many files.
 */
export async function applyUpdates(
  top: string,
  prefix: string,
  updates: readonly FileUpdate[],
  modes: ReadonlyMap<string, string>,
): Promise<AppliedFix[]> {
  const applied: AppliedFix[] = [];
  const toAdd: string[] = [];
  const indexInfo: string[] = [];
  for (const update of updates) {
    const topPath = prefix + update.file.path;
    if (update.file.partial) {
      const oid = (await execGit(top, ['hash-object', '-w', '--no-filters', '--stdin'], { input: update.content }))
        .toString('utf8')
        .trim();
      indexInfo.push(`${modes.get(update.file.path) ?? '100644'} ${oid}\t${topPath}`);
      applied.push({ file: update.file.path, where: 'index' });
    } else {
      if (!update.onDisk) await writeKeepingMode(update.file.abs, update.content);
      toAdd.push(topPath);
      applied.push({ file: update.file.path, where: 'index+worktree' });
    }
  }
  if (toAdd.length > 0) await execGit(top, ['add', '--', ...toAdd]);
  if (indexInfo.length > 0)
    await execGit(top, ['update-index', '--index-info'], { input: `${indexInfo.join('\n')}\n` });
  return applied;
}

/** Puts back working copies a command or the runner changed, when the commit is blocked or nothing may be written. */
export async function restoreWorkingCopies(updates: readonly FileUpdate[]): Promise<void> {
  for (const update of updates) {
    if (update.diskOriginal !== undefined) await writeKeepingMode(update.file.abs, update.diskOriginal);
  }
}
