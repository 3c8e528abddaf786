import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface GitLocation {
  /** The work tree's top folder. */
  top: string;
  /** The repository's git dir for this work tree (`.git`, or `.git/worktrees/<name>`). */
  gitDir: string;
  /** The shared git dir holding `config` (differs from gitDir in a linked worktree). */
  commonDir: string;
}

/**
 * Locates the git repository containing `from` by reading `.git` the way git does, without
 * starting git: this runs on the warm path of every bootstrap.
 */
export function locateGit(from: string): GitLocation | undefined {
  let dir = resolve(from);
  for (;;) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) {
      let gitDir = dotGit;
      if (statSync(dotGit).isFile()) {
        const match = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
        if (!match) return undefined;
        gitDir = isAbsolute(match[1]!) ? match[1]! : resolve(dir, match[1]!);
      }
      let commonDir = gitDir;
      const commonFile = join(gitDir, 'commondir');
      if (existsSync(commonFile)) commonDir = resolve(gitDir, readFileSync(commonFile, 'utf8').trim());
      return { top: dir, gitDir, commonDir };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
