import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { usageError } from '@devkit/core';
import { applyUpdates, restoreWorkingCopies, type AppliedFix } from './apply.js';
import { BlobReader } from './blob-reader.js';
import type { CheckScope, FileReader, HookFinding, RepoCheck } from './checks.js';
import { EslintEngines, repoUsesEslint, repoUsesPrettier } from './engines.js';
import { locateGit } from './git.js';
import { loadLintStagedConfigs, type LintStagedConfig } from './lint-staged-config.js';
import { planLintStaged } from './lint-staged-plan.js';
import { runTasks, type TaskFile } from './run-tasks.js';
import { readChangedSince, readIndexPaths, readTrackedFiles } from './since.js';
import { isRegularFile, readIndexStatus } from './staged.js';

export interface RunHookChecksOptions {
  /** The repo root (devkit.json / package.json); may be a sub-folder of the git work tree. */
  root: string;
  scope: CheckScope;
  /** Apply eslint --fix / prettier --write and re-stage (pre-commit), or only report (CI). */
  fix: boolean;
  /** Run the lint-staged tasks (the `lint-staged` check). */
  lintStaged: boolean;
  /** Further checks registered by the CLI (the lockfile check). */
  checks: readonly RepoCheck[];
  env: NodeJS.ProcessEnv;
}

export interface CheckRun {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Why it was skipped. */
  reason?: string | undefined;
}

export interface HookRunReport {
  scope: CheckScope;
  /** Changed files in scope, relative to the root. */
  files: string[];
  /** The lint-staged config used (a file name, or `default`); the first when several apply. */
  lintStagedConfig: string | undefined;
  /** Every lint-staged config that had files to look at (nested per-package configs), relative to the root. */
  lintStagedConfigs: string[];
  checks: CheckRun[];
  findings: HookFinding[];
  /** Fixes put into the commit (none when blocked or when only reporting). */
  fixed: AppliedFix[];
}

interface ScopedFile {
  path: string;
  partial: boolean;
  oid: string | undefined;
  mode: string;
}

/**
 * The lint-staged configs (every one lint-staged would find, nested ones included), or devkit's
 * default when the repo has none: eslint --fix on every file the repo's ESLint config covers, and
 * prettier --write, when the repo has (installed and configured) ESLint and Prettier.
 */
async function lintStagedConfigs(
  root: string,
  stagedPaths: Promise<readonly string[]> | undefined,
): Promise<LintStagedConfig[]> {
  const configs = await loadLintStagedConfigs(root, { stagedPaths });
  if (configs.length > 0) return configs;
  const tasks: string[] = [];
  if (repoUsesPrettier(root)) tasks.push('prettier --write --ignore-unknown');
  if (repoUsesEslint(root)) tasks.push('eslint --fix');
  return tasks.length > 0 ? [{ file: 'default', dir: '', entries: [{ glob: '*', tasks }] }] : [];
}

async function scopedFiles(
  top: string,
  prefix: string,
  scope: CheckScope,
  findings: HookFinding[],
): Promise<ScopedFile[]> {
  const under = (path: string) => prefix === '' || path.startsWith(prefix);
  if (scope.kind === 'staged') {
    const status = await readIndexStatus(top);
    for (const path of status.unmerged.filter(under)) {
      findings.push({
        check: 'git',
        code: 'unmerged',
        severity: 'error',
        file: path.slice(prefix.length),
        message: 'has unresolved merge conflicts',
        fix: `resolve them, then git add ${path.slice(prefix.length)}`,
      });
    }
    return status.staged
      .filter((file) => under(file.path) && isRegularFile(file))
      .map((file) => ({ path: file.path.slice(prefix.length), partial: file.partial, oid: file.oid, mode: file.mode }));
  }
  const paths = scope.kind === 'since' ? await readChangedSince(top, scope.ref) : await readTrackedFiles(top);
  return paths
    .filter(under)
    .map((path) => ({ path: path.slice(prefix.length), partial: false, oid: undefined, mode: '100644' }));
}

/**
 * Runs a hook's checks over the files in scope. For staged files the content checked is the
 * index's: a fully staged file is read from disk (it is the same bytes, and costs no process),
 * a partially staged one from its blob. Fixes are written only when every check passed.
 */
export async function runHookChecks(options: RunHookChecksOptions): Promise<HookRunReport> {
  const git = locateGit(options.root);
  if (!git)
    throw usageError('E_NOT_A_GIT_REPO', `${options.root} is not inside a git repository`, { hint: 'git init' });
  const sub = relative(git.top, options.root).split('\\').join('/');
  const prefix = sub ? `${sub}/` : '';
  const findings: HookFinding[] = [];
  const scoping = scopedFiles(git.top, prefix, options.scope, findings);
  // The config search lists the index's config files while git status reads the index; untracked
  // configs are looked for beside the files in scope (a pre-push too), or anywhere for `devkit lint`
  // of every tracked file, as lint-staged itself looks.
  const configsFound = options.lintStaged
    ? lintStagedConfigs(
        options.root,
        options.scope.kind === 'all' ? undefined : scoping.then((files) => files.map((f) => f.path)),
      )
    : undefined;
  // Not awaited yet: a failure is reported once, after the files are known.
  configsFound?.catch(() => undefined);
  const scoped = await scoping;
  const report: HookRunReport = {
    scope: options.scope,
    files: scoped.map((f) => f.path),
    lintStagedConfig: undefined,
    lintStagedConfigs: [],
    checks: [],
    findings,
    fixed: [],
  };

  const blobs = new BlobReader(git.top);
  try {
    const staged = options.scope.kind === 'staged';
    const reader: FileReader = staged
      ? { readFile: async (relPath) => (await blobs.read(`:${prefix}${relPath}`))?.toString('utf8') }
      : {
          readFile: async (relPath) => {
            try {
              return await readFile(join(options.root, relPath), 'utf8');
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
              throw error;
            }
          },
        };

    let updates: Awaited<ReturnType<typeof runTasks>>['updates'] = [];
    if (options.lintStaged) {
      const configs = scoped.length > 0 ? await configsFound! : [];
      const groups = planLintStaged(
        configs,
        scoped.map((f) => f.path),
        { root: options.root },
      );
      report.lintStagedConfigs = [...new Set(groups.filter((g) => g.files.length > 0).map((g) => g.config))];
      report.lintStagedConfig = report.lintStagedConfigs[0] ?? configs[0]?.file;
      if (configs.length === 0) {
        report.checks.push({
          name: 'lint-staged',
          status: 'skipped',
          reason: scoped.length === 0 ? 'no files' : 'no lint-staged config, and no eslint or prettier config',
        });
      } else {
        const files: TaskFile[] = scoped.map((file) => {
          const abs = join(options.root, file.path);
          return {
            path: file.path,
            abs,
            partial: file.partial,
            load:
              file.partial && file.oid
                ? async () => (await blobs.read(file.oid!))?.toString('utf8') ?? ''
                : () => readFile(abs, 'utf8'),
          };
        });
        const before = findings.length;
        const eslint = new EslintEngines(options.root, options.env.DEVKIT_COMPILE_CACHE !== '0');
        const result = await runTasks({
          root: options.root,
          top: git.top,
          groups,
          files,
          fix: options.fix,
          eslint,
          env: options.env,
        });
        await eslint.saveCache();
        findings.push(...result.findings);
        updates = result.updates;
        report.checks.push({
          name: 'lint-staged',
          status: findings.slice(before).some((f) => f.severity === 'error') ? 'failed' : 'passed',
        });
      }
    }

    for (const check of options.checks) {
      if (!check.appliesTo(report.files)) {
        report.checks.push({ name: check.name, status: 'skipped', reason: 'no file it checks is changed' });
        continue;
      }
      const listFiles = async () =>
        staged
          ? (await readIndexPaths(git.top))
              .filter((path) => path.startsWith(prefix))
              .map((path) => path.slice(prefix.length))
          : undefined;
      const found = await check.run({
        root: options.root,
        files: report.files,
        reader,
        listFiles,
        scope: options.scope,
        partiallyStaged: scoped.filter((f) => f.partial).map((f) => f.path),
      });
      findings.push(...found);
      report.checks.push({ name: check.name, status: found.some((f) => f.severity === 'error') ? 'failed' : 'passed' });
    }

    const blocked = findings.some((f) => f.severity === 'error');
    if (options.fix && !blocked && updates.length > 0) {
      const modes = new Map(scoped.map((file) => [file.path, file.mode]));
      report.fixed = await applyUpdates(git.top, prefix, updates, modes);
      // `git commit <paths>` commits from a temporary index and then writes its own copy of the
      // paths into the real one, so the fix is committed but the index keeps the unfixed file.
      if (/(^|[\\/])next-index-[^\\/]*$/.test(options.env.GIT_INDEX_FILE ?? '')) {
        for (const fixed of report.fixed) {
          findings.push({
            check: 'lint-staged',
            code: 'fixed-outside-index',
            severity: 'warning',
            file: fixed.file,
            message: 'fixed in this commit, but `git commit <paths>` will leave the unfixed version staged',
            fix: `after the commit: git add ${fixed.file}`,
          });
        }
      }
    } else {
      await restoreWorkingCopies(updates);
    }
    return report;
  } finally {
    blobs.close();
  }
}
