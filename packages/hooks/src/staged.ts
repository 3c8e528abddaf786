import { execGit, splitNul } from './git-exec.js';

/** One path whose index content differs from HEAD (what the next commit will change). */
export interface StagedFile {
  /** Path relative to the git top, `/`-separated. */
  path: string;
  /** Index status against HEAD: A added, M modified, T type changed, R/C renamed/copied. */
  status: 'A' | 'M' | 'T' | 'R' | 'C';
  /** Mode in the index, e.g. `100644`; `120000` is a symlink, `160000` a submodule. */
  mode: string;
  /** Blob id of the staged content. */
  oid: string;
  /**
   * The working tree differs from the index: some changes are not staged. Such a file is
   * checked from its index blob and its working copy is never written.
   */
  partial: boolean;
}

export interface IndexStatus {
  staged: StagedFile[];
  /** Paths staged for deletion (nothing to check). */
  deleted: string[];
  /** Paths with unresolved merge conflicts. */
  unmerged: string[];
}

/**
 * Parses `git status --porcelain=v2 -z`: in one git process it gives, per path, the index
 * status, the staged blob id and whether unstaged changes remain — everything the hook needs
 * without a second `git diff`.
 */
export function parseStatusV2(output: string): IndexStatus {
  const fields = splitNul(output);
  const status: IndexStatus = { staged: [], deleted: [], unmerged: [] };
  for (let i = 0; i < fields.length; i++) {
    const record = fields[i]!;
    const kind = record[0];
    if (kind === '1' || kind === '2') {
      // 1 XY sub mH mI mW hH hI path | 2 XY sub mH mI mW hH hI Xscore path, then origPath as its own field
      const parts = record.split(' ');
      const headerCount = kind === '1' ? 8 : 9;
      const path = parts.slice(headerCount).join(' ');
      if (kind === '2') i++;
      const xy = parts[1]!;
      const x = xy[0]!;
      const y = xy[1]!;
      if (x === '.') continue;
      if (x === 'D') {
        status.deleted.push(path);
        continue;
      }
      status.staged.push({
        path,
        status: x as StagedFile['status'],
        mode: parts[4]!,
        oid: parts[7]!,
        partial: y !== '.',
      });
    } else if (kind === 'u') {
      status.unmerged.push(record.split(' ').slice(10).join(' '));
    }
  }
  return status;
}

/**
 * Reads the index status. `--no-optional-locks` keeps status from rewriting the index while
 * `git commit` holds it; `--untracked-files=no` skips the untracked scan (it is most of
 * status's time in a large tree and untracked files are never committed).
 */
export async function readIndexStatus(top: string): Promise<IndexStatus> {
  const out = await execGit(top, [
    '--no-optional-locks',
    'status',
    '--porcelain=v2',
    '-z',
    '--untracked-files=no',
    '--no-renames',
    '--ignore-submodules=all',
  ]);
  return parseStatusV2(out.toString('utf8'));
}

/** Regular files only: symlinks and submodules have no text to lint. */
export function isRegularFile(file: Pick<StagedFile, 'mode'>): boolean {
  return file.mode === '100644' || file.mode === '100755';
}
