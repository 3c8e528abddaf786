import picomatch from 'picomatch';

/**
 * What one lint-staged command becomes. ESLint and Prettier with the flags below run in this
 * process through their Node APIs (no second Node start, and they can work on the staged text
 * itself); anything else is started as a program, as lint-staged would.
 */
export type Task =
  | { kind: 'eslint'; command: string; fix: boolean; maxWarnings: number | undefined; quiet: boolean }
  | { kind: 'prettier'; command: string; write: boolean; ignoreUnknown: boolean }
  | { kind: 'exec'; command: string; argv: string[]; appendFiles: boolean };

/** A function that turns the matched files into commands (JS and TS configs). */
export type CommandsFunction = (files: string[]) => string | string[] | Promise<string | string[]>;

/** lint-staged's object task: run in-process on the matched files; a throw fails it. */
export interface FunctionTask {
  title: string;
  task: (files: string[]) => unknown;
}

/** A lint-staged task value: a command, a function of the matched files, or an object task. */
export type TaskSource = string | CommandsFunction | FunctionTask;

export interface LintStagedEntry {
  glob: string;
  tasks: TaskSource[];
}

/**
 * Splits a lint-staged command into words as lint-staged does (string-argv; no shell): a word
 * that is wholly quoted loses its quotes, quotes inside a word are kept (`--rule="a b"` stays one
 * word with its quotes), backslashes are not escapes, and a quote that is never closed is dropped.
 */
export function splitArgs(command: string): string[] {
  const words: string[] = [];
  const isPlain = (ch: string | undefined) => ch !== undefined && ch !== '"' && ch !== "'" && !/\s/.test(ch);
  let i = 0;
  while (i < command.length) {
    const ch = command[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const close = command.indexOf(ch, i + 1);
      if (close < 0) {
        i++; // an unclosed quote is skipped
        continue;
      }
      words.push(command.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    let end = i;
    while (isPlain(command[end])) end++;
    for (;;) {
      const q = command[end];
      if (q !== '"' && q !== "'") break;
      const close = command.indexOf(q, end + 1);
      if (close < 0) break;
      end = close + 1;
      while (isPlain(command[end])) end++;
    }
    words.push(command.slice(i, end));
    i = end;
  }
  return words;
}

/**
 * lint-staged's repair of glob braces that expand to nothing (it warns and carries on): braces
 * around a single alternative are dropped (`*.{js}` is `*.js`), and doubled braces are made single
 * once (`*.{{js,ts}}` is `*.{js,ts}`). Escaped braces and `${…}` are left alone.
 */
export function fixBraces(glob: string): string {
  const single = /(?<![\\$])\{((?:(?!(?<!\\),|\.\.)[^{}])*?)(?<!\\)\}/;
  let out = glob;
  for (let match = single.exec(out); match; match = single.exec(out)) {
    out = out.slice(0, match.index) + match[1]! + out.slice(match.index + match[0].length);
  }
  const double = /\{\{([^{}]*)\}\}/.exec(out);
  if (double) out = out.replace(double[0], `{${double[1]}}`);
  return out;
}

/** Splits a command line into words the way a POSIX shell would for plain words and quotes. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Drops runner prefixes (`npx eslint`, `pnpm exec eslint`, `node_modules/.bin/eslint`) to find the tool. */
function toolWords(words: string[]): string[] {
  let rest = words;
  if (rest[0] === 'npx' || rest[0] === 'bunx')
    rest = rest.slice(1).filter((w, i) => !(i === 0 && (w === '--no-install' || w === '--no')));
  else if ((rest[0] === 'pnpm' || rest[0] === 'yarn') && rest[1] === 'exec') rest = rest.slice(2);
  else if (rest[0] === 'pnpm' || rest[0] === 'yarn') rest = rest.slice(1);
  if (rest[0]?.endsWith('node_modules/.bin/eslint')) rest = ['eslint', ...rest.slice(1)];
  if (rest[0]?.endsWith('node_modules/.bin/prettier')) rest = ['prettier', ...rest.slice(1)];
  return rest;
}

function eslintTask(command: string, flags: string[]): Task | undefined {
  let fix = false;
  let quiet = false;
  let maxWarnings: number | undefined;
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    if (flag === '--fix') fix = true;
    else if (flag === '--quiet') quiet = true;
    else if (flag === '--cache' || flag === '--no-warn-ignored') continue;
    else if (flag === '--max-warnings' || flag.startsWith('--max-warnings=')) {
      const value = flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : flags[++i];
      if (value === undefined || !/^-?\d+$/.test(value)) return undefined;
      maxWarnings = Number(value) < 0 ? undefined : Number(value);
    } else return undefined; // a flag we do not emulate: run the real CLI
  }
  return { kind: 'eslint', command, fix, maxWarnings, quiet };
}

function prettierTask(command: string, flags: string[]): Task | undefined {
  let write = false;
  let ignoreUnknown = false;
  for (const flag of flags) {
    if (flag === '--write' || flag === '-w') write = true;
    else if (flag === '--check' || flag === '-c' || flag === '--list-different' || flag === '-l') write = false;
    else if (flag === '--ignore-unknown' || flag === '-u') ignoreUnknown = true;
    else return undefined;
  }
  return { kind: 'prettier', command, write, ignoreUnknown };
}

/** Classifies one command (`eslint --fix`, `prettier --write`, anything else). */
export function parseTask(command: string, appendFiles = true): Task {
  const words = splitArgs(command);
  const tool = toolWords(words);
  if (appendFiles) {
    if (tool[0] === 'eslint') {
      const task = eslintTask(command, tool.slice(1));
      if (task) return task;
    }
    if (tool[0] === 'prettier') {
      const task = prettierTask(command, tool.slice(1));
      if (task) return task;
    }
  }
  return { kind: 'exec', command, argv: words, appendFiles };
}

/**
 * Whether a lint-staged glob matches a path (relative to the config's folder). As in
 * lint-staged, a glob without a slash matches the file name anywhere in the tree; one with a
 * slash matches the whole relative path; dot files are matched.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  // paths here always use `/`, which picomatch 4 matches whatever its `windows` option (it has no posixSlashes)
  return picomatch(glob, { basename: !glob.includes('/'), dot: true, strictBrackets: true });
}

export interface PlannedGroup {
  glob: string;
  files: string[];
  tasks: TaskSource[];
}

/** Pure: which files each glob of the config gets, in config order; globs that match nothing are left out. */
export function planGroups(entries: readonly LintStagedEntry[], files: readonly string[]): PlannedGroup[] {
  const groups: PlannedGroup[] = [];
  for (const entry of entries) {
    const matches = globMatcher(entry.glob);
    const matched = files.filter((file) => matches(file));
    if (matched.length > 0) groups.push({ glob: entry.glob, files: matched, tasks: entry.tasks });
  }
  return groups;
}
