import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '@devkit/core';
import type { HookFinding } from './checks.js';
import { loadPrettier, type EslintEngines, type EslintLintResult, type PrettierModule } from './engines.js';
import type { LintStagedGroup } from './lint-staged-plan.js';
import { spawnTask, taskFailure } from './spawn-task.js';
import { parseTask, type FunctionTask, type Task, type TaskSource } from './tasks.js';
import { writeKeepingMode } from './working-copy.js';

const CHECK = 'lint-staged';

/** A file a hook run looks at. */
export interface TaskFile {
  /** Path relative to the repo root, `/`-separated. */
  path: string;
  abs: string;
  /**
   * Only part of the working copy is staged: the content checked is the index blob and the
   * working copy is never written.
   */
  partial: boolean;
  /** The content to check (the staged blob, or the working copy when they are the same). */
  load(): Promise<string>;
}

/** A file whose checked content the tasks changed (eslint --fix, prettier --write, a command). */
export interface FileUpdate {
  file: TaskFile;
  content: string;
  /** The working copy already holds `content` (a command wrote it, or the runner did before one ran). */
  onDisk: boolean;
  /** The working copy before anything was written, to put back when the commit is blocked. */
  diskOriginal: Buffer | undefined;
}

export interface RunTasksOptions {
  root: string;
  /** The git work tree's top: where commands starting with `git` run, as in lint-staged. */
  top: string;
  /** The plan (planLintStaged): per config, chunk and glob, in order. */
  groups: readonly LintStagedGroup[];
  files: readonly TaskFile[];
  /** Apply fixes (pre-commit) or only report what is wrong (CI). */
  fix: boolean;
  eslint: EslintEngines;
  env: NodeJS.ProcessEnv;
}

export interface RunTasksResult {
  findings: HookFinding[];
  updates: FileUpdate[];
  /** Files at least one task looked at. */
  checked: string[];
}

interface FileState {
  file: TaskFile;
  original: string;
  content: string;
  onDisk: boolean;
  diskOriginal: Buffer | undefined;
}

function eslintFix(file: TaskFile, fix: boolean): string {
  if (fix)
    return `fix ${file.path}${file.partial ? ' (line numbers are those of the staged version: git diff --cached -- ' + file.path + ')' : ''}, then \`git add ${file.path}\` and commit again`;
  return `fix ${file.path}, or let eslint fix what it can: pnpm exec eslint --fix ${file.path}`;
}

/** A task ready to run: what a group's task source became (a function's commands, or an object task). */
type ResolvedTask = Task | { kind: 'function'; title: string; task: FunctionTask['task'] };

function isFunctionTask(source: TaskSource): source is FunctionTask {
  return typeof source === 'object';
}

/**
 * Calls a config's functions the way lint-staged does, before anything runs: once per glob and
 * chunk with the matched absolute paths (an empty list when nothing matched). What a function
 * returns must be commands; they run without the files appended.
 */
async function resolveTasks(group: LintStagedGroup, abs: string[]): Promise<ResolvedTask[]> {
  const tasks: ResolvedTask[] = [];
  for (const source of group.tasks) {
    if (typeof source === 'string') tasks.push(parseTask(source));
    else if (isFunctionTask(source)) tasks.push({ kind: 'function', title: source.title, task: source.task });
    else {
      let produced: unknown;
      try {
        produced = await source([...abs]);
      } catch (error) {
        throw usageError(
          'E_LINT_STAGED_CONFIG',
          `${group.config} key ${JSON.stringify(group.glob)}: its function threw: ${(error as Error).message}`,
          { hint: `fix the function in ${group.config}`, cause: error },
        );
      }
      for (const command of Array.isArray(produced) ? produced : [produced]) {
        if (typeof command !== 'string')
          throw usageError(
            'E_LINT_STAGED_CONFIG',
            `${group.config} key ${JSON.stringify(group.glob)}: its function returned ${JSON.stringify(command) ?? String(command)}; expected a command or a list of commands`,
            { hint: `make the function in ${group.config} return strings` },
          );
        tasks.push(parseTask(command, false));
      }
    }
  }
  return tasks;
}

/**
 * Runs the planned lint-staged tasks over the files. ESLint and Prettier work on the text in
 * memory, so a partially staged file is checked (and fixed) as staged without its working copy
 * ever being involved. Other commands need files on disk: they run on fully staged files only,
 * and a partially staged file they match is refused with the way out. As in lint-staged, a glob's
 * tasks stop at the first that fails; other globs and configs still run (lint-staged runs them at
 * the same time), so every problem is reported at once.
 */
export async function runTasks(options: RunTasksOptions): Promise<RunTasksResult> {
  const findings: HookFinding[] = [];
  const states = new Map<string, FileState>();
  const byPath = new Map(options.files.map((file) => [file.path, file]));
  const prettiers = new Map<string, Promise<PrettierModule>>();

  const state = async (path: string): Promise<FileState> => {
    let s = states.get(path);
    if (!s) {
      const file = byPath.get(path)!;
      const content = await file.load();
      s = { file, original: content, content, onDisk: true, diskOriginal: undefined };
      states.set(path, s);
    }
    return s;
  };

  const resolved: ResolvedTask[][] = [];
  for (const group of options.groups)
    resolved.push(
      await resolveTasks(
        group,
        group.files.map((path) => byPath.get(path)!.abs),
      ),
    );

  try {
    for (const [index, group] of options.groups.entries()) {
      if (group.files.length === 0) continue;
      const context: GroupContext = { ...options, cwd: group.cwd };
      for (const task of resolved[index]!) {
        const before = findings.length;
        if (task.kind === 'eslint') await runEslint(task, group.files, context, state, findings);
        else if (task.kind === 'prettier') {
          let prettier = prettiers.get(group.cwd);
          if (!prettier) prettiers.set(group.cwd, (prettier = loadPrettier(group.cwd)));
          await runPrettier(task, group.files, context, await prettier, state, findings);
        } else if (task.kind === 'function') await runFunctionTask(task, group, byPath, findings);
        else await runExec(task, group.files, context, state, findings);
        if (findings.slice(before).some((finding) => finding.severity === 'error')) break;
      }
    }
  } catch (error) {
    // A task that cannot run at all (a broken ESLint config): leave the working copies as found.
    for (const s of states.values())
      if (s.diskOriginal !== undefined) await writeKeepingMode(s.file.abs, s.diskOriginal);
    throw error;
  }

  const updates: FileUpdate[] = [];
  for (const s of states.values()) {
    if (s.content !== s.original || s.diskOriginal !== undefined) {
      updates.push({ file: s.file, content: s.content, onDisk: s.onDisk, diskOriginal: s.diskOriginal });
    }
  }
  return { findings, updates, checked: [...states.keys()] };
}

/** The options a task runs with: the run's, and the folder its group runs in. */
interface GroupContext extends RunTasksOptions {
  cwd: string;
}

/** lint-staged's `{ title, task }` object: called in this process with the matched files; a throw fails it. */
async function runFunctionTask(
  task: Extract<ResolvedTask, { kind: 'function' }>,
  group: LintStagedGroup,
  byPath: ReadonlyMap<string, TaskFile>,
  findings: HookFinding[],
): Promise<void> {
  try {
    await task.task(group.files.map((path) => byPath.get(path)!.abs));
  } catch (error) {
    findings.push({
      check: CHECK,
      code: 'task-failed',
      severity: 'error',
      message: `${task.title} (${group.config} key ${JSON.stringify(group.glob)}) failed: ${(error as Error)?.message ?? String(error)}`,
      fix: 'fix what it reports, `git add` the files, and commit again',
    });
  }
}

async function runEslint(
  task: Extract<Task, { kind: 'eslint' }>,
  paths: string[],
  options: GroupContext,
  state: (path: string) => Promise<FileState>,
  findings: HookFinding[],
): Promise<void> {
  const fix = options.fix && task.fix;
  const eslint = await options.eslint.get(fix, options.cwd);
  let warnings = 0;
  for (const path of paths) {
    const s = await state(path);
    let result: EslintLintResult | undefined;
    try {
      [result] = await eslint.lintText(s.content, { filePath: s.file.abs, warnIgnored: false });
    } catch (error) {
      // A broken or missing ESLint config, a plugin that does not load: not a finding in the code.
      const first = (error as Error).message.split('\n')[0];
      throw usageError('E_ESLINT_FAILED', `eslint could not lint ${path} (\`${task.command}\`): ${first}`, {
        hint: `pnpm exec eslint ${path} shows the same error; fix the ESLint config`,
        cause: error,
      });
    }
    if (!result) continue;
    if (fix && result.output !== undefined && result.output !== s.content) {
      s.content = result.output;
      s.onDisk = false;
    }
    for (const message of result.messages) {
      if (message.severity === 1) warnings++;
      if (message.severity === 0 || (message.severity === 1 && task.quiet)) continue;
      findings.push({
        check: CHECK,
        code: message.fatal ? 'eslint-parse' : 'eslint',
        severity: message.severity === 2 ? 'error' : 'warning',
        file: path,
        line: message.line,
        column: message.column,
        rule: message.ruleId ?? undefined,
        message: message.fix && !fix ? `${message.message} (eslint --fix can fix this)` : message.message,
        fix: message.severity === 2 ? eslintFix(s.file, options.fix) : undefined,
      });
    }
  }
  if (task.maxWarnings !== undefined && warnings > task.maxWarnings) {
    findings.push({
      check: CHECK,
      code: 'eslint-max-warnings',
      severity: 'error',
      message: `eslint found ${warnings} warning${warnings === 1 ? '' : 's'}; \`${task.command}\` allows ${task.maxWarnings}`,
      fix: 'fix the warnings listed above',
    });
  }
}

async function runPrettier(
  task: Extract<Task, { kind: 'prettier' }>,
  paths: string[],
  options: GroupContext,
  prettier: PrettierModule,
  state: (path: string) => Promise<FileState>,
  findings: HookFinding[],
): Promise<void> {
  const write = options.fix && task.write;
  for (const path of paths) {
    const s = await state(path);
    const info = await prettier.getFileInfo(s.file.abs, {
      ignorePath: [join(options.cwd, '.prettierignore')],
      resolveConfig: true,
    });
    if (info.ignored) continue;
    if (!info.inferredParser) {
      if (task.ignoreUnknown) continue;
      findings.push({
        check: CHECK,
        code: 'prettier-unknown',
        severity: 'error',
        file: path,
        message: 'prettier has no parser for this kind of file',
        fix: `add --ignore-unknown to \`${task.command}\` or narrow its glob`,
      });
      continue;
    }
    const config = (await prettier.resolveConfig(s.file.abs, { editorconfig: true })) ?? {};
    let formatted: string;
    try {
      formatted = await prettier.format(s.content, { ...config, filepath: s.file.abs });
    } catch (error) {
      const loc = (error as { loc?: { start?: { line?: number; column?: number } } }).loc?.start;
      findings.push({
        check: CHECK,
        code: 'prettier-syntax',
        severity: 'error',
        file: path,
        line: loc?.line,
        column: loc?.column,
        message: `prettier could not parse it: ${(error as Error).message.split('\n')[0]}`,
        fix: `fix the syntax of ${path}, then \`git add ${path}\``,
      });
      continue;
    }
    if (formatted === s.content) continue;
    if (write) {
      s.content = formatted;
      s.onDisk = false;
    } else {
      findings.push({
        check: CHECK,
        code: 'prettier',
        severity: 'error',
        file: path,
        message: 'not formatted as prettier would',
        fix: `pnpm exec prettier --write ${path}`,
      });
    }
  }
}

async function runExec(
  task: Extract<Task, { kind: 'exec' }>,
  paths: string[],
  options: GroupContext,
  state: (path: string) => Promise<FileState>,
  findings: HookFinding[],
): Promise<void> {
  const runnable: FileState[] = [];
  for (const path of paths) {
    const s = await state(path);
    if (s.file.partial) {
      findings.push({
        check: CHECK,
        code: 'partially-staged',
        severity: 'error',
        file: path,
        message: `\`${task.command}\` works on files in the working tree, and ${path} has changes that are not staged; running it would mix them into the commit`,
        fix: `stage the whole file (git add ${path}) or set the unstaged part aside, then commit again`,
      });
      continue;
    }
    // Earlier in-memory fixes must be on disk for the command to see them.
    if (!s.onDisk) {
      s.diskOriginal ??= await readFile(s.file.abs);
      await writeKeepingMode(s.file.abs, s.content);
      s.onDisk = true;
    }
    runnable.push(s);
  }
  if (runnable.length === 0) return;
  const before = new Map(
    await Promise.all(runnable.map(async (s) => [s.file.path, await readFile(s.file.abs)] as const)),
  );
  // The plan already chunked the files as lint-staged does; as there, git runs from the top.
  const list = task.appendFiles ? runnable.map((s) => s.file.abs) : [];
  const cwd = /^git/i.test(task.argv[0] ?? '') ? options.top : options.cwd;
  const result = await spawnTask([...task.argv, ...list], cwd, options.env);
  if (result.code !== 0) {
    findings.push({
      check: CHECK,
      ...taskFailure(task.command, result, `${task.argv[0]} was not found (not in node_modules/.bin nor on PATH)`),
      severity: 'error',
      fix: result.missing
        ? `install ${task.argv[0]} or fix the lint-staged config`
        : 'fix what it reports, `git add` the files, and commit again',
    });
  }
  for (const s of runnable) {
    const now = await readFile(s.file.abs);
    const old = before.get(s.file.path)!;
    if (now.equals(old)) continue;
    s.diskOriginal ??= old;
    s.content = now.toString('utf8');
    if (!options.fix) {
      findings.push({
        check: CHECK,
        code: 'command-changed-file',
        severity: 'error',
        file: s.file.path,
        message: `\`${task.command}\` changes this file`,
        fix: `run it and commit the result: ${task.command} ${s.file.path}`,
      });
    }
  }
}
