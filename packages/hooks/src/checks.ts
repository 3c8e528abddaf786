/**
 * The contract between the hook runner and the checks it runs. A check never reads the working
 * tree itself: it gets a FileReader, which in a pre-commit hook reads the git index, so what is
 * checked is exactly what will be committed.
 */

/** Reads a file of the repo by its `/`-separated path relative to the repo root; `undefined` when absent. */
export interface FileReader {
  readFile(relPath: string): Promise<string | undefined>;
}

/** One problem a check found, with where it is and what to do. */
export interface HookFinding {
  /** The check that found it (`lint-staged`, `lockfile`, …). */
  check: string;
  /** Stable kind for `--json` consumers, e.g. `eslint`, `prettier`, `command-failed`. */
  code: string;
  severity: 'error' | 'warning';
  /** Path relative to the repo root. */
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  /** The lint rule, when there is one. */
  rule?: string | undefined;
  message: string;
  /** What the user does about it. */
  fix?: string | undefined;
}

/** Which files a hook run looks at and where their content comes from. */
export type CheckScope = { kind: 'staged' } | { kind: 'since'; ref: string } | { kind: 'all' };

export interface CheckContext {
  /** The repo root (where devkit.json and package.json are). */
  root: string;
  /** Changed paths relative to the root: staged ones, or those changed since a ref. */
  files: readonly string[];
  /** Content as it will be committed (index) or as checked out (working tree in CI). */
  reader: FileReader;
  /**
   * Every file the reader can read, relative to the root, when that is not the working tree
   * (the index, for staged checks); `undefined` means: look at the working tree.
   */
  listFiles(): Promise<string[] | undefined>;
  scope: CheckScope;
  /** Those of `files` whose working copy has changes that are not staged (staged scope only). */
  partiallyStaged: readonly string[];
}

/**
 * A check the CLI registers with the runner. Capability packages do not import each other, so a
 * check from another package (the lockfile check) is adapted to this shape in the CLI.
 */
export interface RepoCheck {
  name: string;
  /** Whether any of the changed files concerns this check; when false it is not run at all. */
  appliesTo(files: readonly string[]): boolean;
  run(ctx: CheckContext): Promise<HookFinding[]>;
}
