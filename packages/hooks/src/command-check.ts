import type { HookFinding, RepoCheck } from './checks.js';
import { spawnTask, taskFailure } from './spawn-task.js';
import { globMatcher } from './tasks.js';

/** A hook entry that runs a command (devkit.json: `{ "run": …, "glob"?: …, "name"?: … }`). */
export interface HookCommandEntry {
  run: string;
  glob?: string | string[] | undefined;
  name?: string | undefined;
}

/** `{files}` and lefthook's `{staged_files}`: where the matching files go in the command. */
const FILES_PLACEHOLDER = /\{(?:staged_)?files\}/g;
const HAS_FILES = /\{(?:staged_)?files\}/;
/** Keeps one command line well under Linux's ARG_MAX when many files are substituted. */
const MAX_FILES_CHARS = 100_000;

/** Quotes a word for sh. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Splits the file list so that no single command line gets too long. */
function chunked(files: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const file of files) {
    if (current.length > 0 && size + file.length + 3 > MAX_FILES_CHARS) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(file);
    size += file.length + 3;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export interface CommandCheckOptions {
  /** The hook's own arguments (commit-msg: the message file), the command's $1, $2 …. */
  hookArgs?: readonly string[] | undefined;
  env: NodeJS.ProcessEnv;
}

/** Pure: the files in scope a command entry is about (all of them without a glob). */
export function commandFiles(entry: HookCommandEntry, files: readonly string[]): string[] {
  if (entry.glob === undefined) return [...files];
  const matchers = (Array.isArray(entry.glob) ? entry.glob : [entry.glob]).map((glob) => globMatcher(glob));
  return files.filter((file) => matchers.some((matches) => matches(file)));
}

/** Pure: the shell command lines a command entry runs for these files (one per chunk of files). */
export function commandLines(entry: HookCommandEntry, files: readonly string[]): string[] {
  if (!HAS_FILES.test(entry.run)) return [entry.run];
  return chunked(files).map((chunk) => entry.run.replace(FILES_PLACEHOLDER, chunk.map(shellQuote).join(' ')));
}

/**
 * A hook entry that runs any command, as lefthook does: through `sh -c` in the repo root, with
 * node_modules/.bin on PATH and the hook's own arguments as $1, $2 …. With a `glob` it runs only
 * when a file in scope matches; `{files}` puts the matching files (relative to the root) into the
 * command. A non-zero exit is a finding that blocks the hook. Commands work on the working tree:
 * one given a partially staged file would see its unstaged part, so that file is refused.
 */
export function commandCheck(entry: HookCommandEntry, options: CommandCheckOptions): RepoCheck {
  const name = entry.name ?? entry.run;
  const wantsFiles = HAS_FILES.test(entry.run);
  return {
    name,
    appliesTo: (files) => (entry.glob === undefined && !wantsFiles) || commandFiles(entry, files).length > 0,
    run: async (ctx): Promise<HookFinding[]> => {
      const findings: HookFinding[] = [];
      const files = commandFiles(entry, ctx.files);
      if (wantsFiles) {
        const partial = files.filter((file) => ctx.partiallyStaged.includes(file));
        for (const file of partial) {
          findings.push({
            check: name,
            code: 'partially-staged',
            severity: 'error',
            file,
            message: `\`${entry.run}\` works on files in the working tree, and ${file} has changes that are not staged; running it would mix them into the commit`,
            fix: `stage the whole file (git add ${file}) or set the unstaged part aside, then commit again`,
          });
        }
        if (partial.length > 0) return findings;
      }
      for (const line of commandLines(entry, files)) {
        const result = await spawnTask(['sh', '-c', line, 'sh', ...(options.hookArgs ?? [])], ctx.root, options.env);
        if (result.code === 0) continue;
        findings.push({
          check: name,
          ...taskFailure(entry.run, result, 'sh was not found'),
          severity: 'error',
          fix: `fix what it reports, then commit again (to try it: ${line})`,
        });
        break;
      }
      return findings;
    },
  };
}
