import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { isCommandError, runCommand, usageError } from '@devkit/core';
import type { HookFinding } from './checks.js';
import { loadPrettier, type EslintEngines, type EslintLintResult, type PrettierModule } from './engines.js';
import { parseTask, planGroups, type LintStagedEntry, type Task } from './tasks.js';
import { writeKeepingMode } from './working-copy.js';

const CHECK = 'lint-staged';
/** Keeps one command line well under Linux's ARG_MAX when many files are appended. */
const MAX_ARGS_CHARS = 100_000;

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
  entries: readonly LintStagedEntry[];
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

/**
 * Runs the lint-staged config's tasks over the files, in config order. ESLint and Prettier work
 * on the text in memory, so a partially staged file is checked (and fixed) as staged without its
 * working copy ever being involved. Other commands need files on disk: they run on fully staged
 * files only, and a partially staged file they match is refused with the way out.
 */
export async function runTasks(options: RunTasksOptions): Promise<RunTasksResult> {
  const findings: HookFinding[] = [];
  const states = new Map<string, FileState>();
  const byPath = new Map(options.files.map((file) => [file.path, file]));
  let prettier: Promise<PrettierModule> | undefined;

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

  try {
    for (const group of planGroups(
      options.entries,
      options.files.map((file) => file.path),
    )) {
      for (const source of group.tasks) {
        let tasks: Task[];
        if (typeof source === 'function') {
          const produced = await source(group.files.map((path) => byPath.get(path)!.abs));
          tasks = (Array.isArray(produced) ? produced : [produced]).map((command) => parseTask(command, false));
        } else tasks = [parseTask(source)];
        for (const task of tasks) {
          if (task.kind === 'eslint') await runEslint(task, group.files, options, state, findings);
          else if (task.kind === 'prettier') {
            prettier ??= loadPrettier(options.root);
            await runPrettier(task, group.files, options, await prettier, state, findings);
          } else await runExec(task, group.files, options, state, findings);
        }
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

async function runEslint(
  task: Extract<Task, { kind: 'eslint' }>,
  paths: string[],
  options: RunTasksOptions,
  state: (path: string) => Promise<FileState>,
  findings: HookFinding[],
): Promise<void> {
  const fix = options.fix && task.fix;
  const eslint = await options.eslint.get(fix);
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
  options: RunTasksOptions,
  prettier: PrettierModule,
  state: (path: string) => Promise<FileState>,
  findings: HookFinding[],
): Promise<void> {
  const write = options.fix && task.write;
  for (const path of paths) {
    const s = await state(path);
    const info = await prettier.getFileInfo(s.file.abs, {
      ignorePath: [join(options.root, '.prettierignore')],
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

/** Splits the file list so that no single command line gets too long. */
function chunks(files: string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const file of files) {
    if (current.length > 0 && size + file.length + 1 > MAX_ARGS_CHARS) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(file);
    size += file.length + 1;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function spawnTask(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string; missing: boolean }> {
  // Like lint-staged (and npm scripts): the repo's node_modules/.bin comes first on PATH.
  const PATH = [join(cwd, 'node_modules', '.bin'), env.PATH ?? ''].join(delimiter);
  try {
    await runCommand(argv[0]!, argv.slice(1), { cwd, env: { ...env, PATH }, extendEnv: false, engine: 'node' });
    return { code: 0, output: '', missing: false };
  } catch (error) {
    if (!isCommandError(error)) throw error;
    return { code: error.processExitCode, output: error.output || error.message, missing: error.reason === 'missing' };
  }
}

async function runExec(
  task: Extract<Task, { kind: 'exec' }>,
  paths: string[],
  options: RunTasksOptions,
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
  const lists = task.appendFiles ? chunks(runnable.map((s) => s.file.abs)) : [[]];
  for (const list of lists) {
    const result = await spawnTask([...task.argv, ...list], options.root, options.env);
    if (result.code !== 0) {
      const tail = result.output.trim().split('\n').slice(-20).join('\n');
      findings.push({
        check: CHECK,
        code: result.missing ? 'command-missing' : 'command-failed',
        severity: 'error',
        message: result.missing
          ? `\`${task.command}\`: ${task.argv[0]} was not found (not in node_modules/.bin nor on PATH)`
          : `\`${task.command}\` exited with code ${result.code}${tail ? `:\n${tail}` : ''}`,
        fix: result.missing
          ? `install ${task.argv[0]} or fix the lint-staged config`
          : 'fix what it reports, `git add` the files, and commit again',
      });
    }
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
