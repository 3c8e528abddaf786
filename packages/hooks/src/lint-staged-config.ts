import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { usageError } from '@devkit/core';
import { execGit, splitNul } from './git-exec.js';
import { locateGit } from './git.js';
import { fixBraces, type LintStagedEntry, type TaskSource } from './tasks.js';

/**
 * The files lint-staged 16 reads its config from, in its order (lib/configFiles.js): the
 * "lint-staged" key of package.json, package.yaml or package.yml, then its own files.
 */
export const LINT_STAGED_CONFIG_FILES = [
  'package.json',
  'package.yaml',
  'package.yml',
  '.lintstagedrc',
  '.lintstagedrc.json',
  '.lintstagedrc.yaml',
  '.lintstagedrc.yml',
  '.lintstagedrc.mjs',
  '.lintstagedrc.mts',
  '.lintstagedrc.js',
  '.lintstagedrc.ts',
  '.lintstagedrc.cjs',
  '.lintstagedrc.cts',
  'lint-staged.config.mjs',
  'lint-staged.config.mts',
  'lint-staged.config.js',
  'lint-staged.config.ts',
  'lint-staged.config.cjs',
  'lint-staged.config.cts',
] as const;

const CONFIG_NAMES: ReadonlySet<string> = new Set(LINT_STAGED_CONFIG_FILES);
const MANIFESTS: ReadonlySet<string> = new Set(['package.json', 'package.yaml', 'package.yml']);

/** A file that holds a lint-staged config. */
export interface LintStagedConfigFile {
  /** Path relative to the root, `/`-separated (`packages/web/.lintstagedrc.json`). */
  file: string;
  /** Its folder relative to the root, `/`-separated (`''` for the root itself). */
  dir: string;
  abs: string;
}

export interface LintStagedConfig {
  /** The file it came from, relative to the root (`package.json` for its "lint-staged" key); `default` for devkit's own. */
  file: string;
  /** Its folder relative to the root (`''` for the root). */
  dir: string;
  entries: LintStagedEntry[];
}

export interface FindLintStagedConfigsOptions {
  /**
   * The staged paths (relative to the root). Given, configs that git does not track are looked
   * for only in these paths' folders (and the root's), so the hook never walks the whole tree;
   * without it, untracked configs anywhere count, as with lint-staged itself.
   */
  stagedPaths?: readonly string[] | PromiseLike<readonly string[]> | undefined;
}

function toSlash(path: string): string {
  return path.split('\\').join('/');
}

/** Tracked configs under the root, from the index (`git ls-files`, no walk of the tree), as lint-staged lists them. */
async function listFromGit(top: string, root: string, others: boolean): Promise<string[]> {
  const out = await execGit(root, [
    'ls-files',
    '-z',
    '--full-name',
    '-t',
    '--cached',
    ...(others ? ['--others', '--exclude-standard'] : []),
    '--',
    ...LINT_STAGED_CONFIG_FILES.map((name) => `:(glob)**/${name}`),
  ]);
  // `S`: skip-worktree (not checked out in a sparse checkout), as lint-staged leaves them out.
  return splitNul(out)
    .filter((line) => !line.startsWith('S '))
    .map((line) => join(top, line.replace(/^[HSMRCK?U] /, '')));
}

/** lint-staged's file-system search: the first folder from `from` upwards that holds any config name. */
async function listFromFs(from: string): Promise<string[]> {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const found = LINT_STAGED_CONFIG_FILES.map((name) => join(dir, name)).filter((path) => existsSync(path));
    if (found.length > 0) return found;
    if (dirname(dir) === dir) return [];
  }
}

/** Config names in the staged paths' folders (configs not yet tracked live there too). */
async function listFromFolders(root: string, paths: readonly string[]): Promise<string[]> {
  const dirs = new Set<string>(['']);
  for (const path of paths) {
    for (let dir = dirname(path); dir !== '.' && dir !== '' && !dirs.has(dir); dir = dirname(dir)) dirs.add(dir);
  }
  const found: string[] = [];
  await Promise.all(
    [...dirs].map(async (dir) => {
      let names: string[];
      try {
        names = await readdir(join(root, dir));
      } catch {
        return; // a folder the commit deletes
      }
      for (const name of names) if (CONFIG_NAMES.has(name)) found.push(join(root, dir, name));
    }),
  );
  return found;
}

async function readText(abs: string): Promise<string | undefined> {
  try {
    return await readFile(abs, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR')
      return undefined;
    throw error;
  }
}

/**
 * Whether a package.json / package.yaml holds a "lint-staged" key. lint-staged passes over one it
 * cannot parse; devkit does too unless the text mentions lint-staged (then it is a config that
 * cannot be read, and saying so beats running without it).
 */
async function manifestHasConfig(abs: string, file: string): Promise<boolean> {
  const text = await readText(abs);
  if (text === undefined || !text.includes('lint-staged')) return false;
  const value = await parseManifest(file, text);
  return value !== undefined;
}

async function parseManifest(file: string, text: string): Promise<unknown> {
  const data = file.endsWith('.json') ? parseJson(file, text) : await parseYaml(file, text);
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, unknown>)['lint-staged']
    : undefined;
}

/**
 * Finds the lint-staged configs that apply under `root`, as lint-staged 16 finds them when run
 * from `root`: every config file git lists under it (tracked, and untracked ones in the staged
 * paths' folders) plus the first folder upwards from `root` that holds one; a package.json or
 * package.yaml counts only with a "lint-staged" key. In lint-staged's order: deepest first, then
 * by path (a staged file belongs to the first config whose folder holds it).
 */
export async function findLintStagedConfigs(
  root: string,
  options: FindLintStagedConfigsOptions = {},
): Promise<LintStagedConfigFile[]> {
  const git = locateGit(root);
  const lists = await Promise.all([
    git ? listFromGit(git.top, root, options.stagedPaths === undefined) : Promise.resolve([]),
    listFromFs(root),
    options.stagedPaths === undefined
      ? Promise.resolve([])
      : Promise.resolve(options.stagedPaths).then((paths) => listFromFolders(root, paths)),
  ]);
  const candidates = [...new Set(lists.flat().map((path) => toSlash(resolve(path))))];
  const present = await Promise.all(
    candidates.map(async (abs) => {
      const name = basename(abs);
      if (MANIFESTS.has(name)) return (await manifestHasConfig(abs, toSlash(relative(root, abs)))) ? abs : undefined;
      return existsSync(abs) ? abs : undefined;
    }),
  );
  const depth = (path: string) => path.split('/').length;
  return present
    .filter((abs): abs is string => abs !== undefined)
    .sort((a, b) => a.localeCompare(b))
    .sort((a, b) => depth(b) - depth(a))
    .map((abs) => {
      const file = toSlash(relative(root, abs));
      const dir = toSlash(relative(root, dirname(abs)));
      return { file, dir, abs };
    });
}

function invalid(file: string, key: string | undefined, found: string, expected?: string): never {
  const where = key === undefined ? file : `${file} key ${JSON.stringify(key)}`;
  throw usageError(
    'E_LINT_STAGED_CONFIG',
    `${where}: expected ${expected ?? 'a command, a list of commands and functions, a function or a { title, task } object'}, found ${found}`,
    { hint: `edit ${file}: e.g. { "*.{ts,js}": "eslint --fix" }` },
  );
}

function shown(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  return JSON.stringify(value) ?? String(value);
}

/**
 * Pure: turns a parsed lint-staged config value into entries, validating it as lint-staged does
 * (a function config is `{ "*": fn }`; braces that expand to nothing are repaired).
 */
export function toEntries(file: string, value: unknown): LintStagedEntry[] {
  if (typeof value === 'function') return [{ glob: '*', tasks: [value as TaskSource] }];
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid(file, undefined, shown(value), 'an object of globs and tasks, or a function');
  const pairs = Object.entries(value as Record<string, unknown>);
  if (pairs.length === 0) invalid(file, undefined, '{}', 'at least one glob');
  const entries: LintStagedEntry[] = [];
  for (const [glob, tasks] of pairs) {
    if (Array.isArray(tasks)) {
      for (const task of tasks)
        if (typeof task !== 'string' && typeof task !== 'function')
          invalid(file, glob, shown(task), 'a list of commands and functions');
      entries.push({ glob: fixBraces(glob), tasks: tasks as TaskSource[] });
    } else if (tasks !== null && typeof tasks === 'object') {
      const { title, task } = tasks as { title?: unknown; task?: unknown };
      if (typeof title !== 'string' || typeof task !== 'function')
        invalid(file, glob, shown(tasks), 'a { title: string, task: function } object');
      entries.push({ glob: fixBraces(glob), tasks: [tasks as TaskSource] });
    } else if (typeof tasks === 'string' || typeof tasks === 'function') {
      entries.push({ glob: fixBraces(glob), tasks: [tasks as TaskSource] });
    } else invalid(file, glob, shown(tasks));
  }
  return entries;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError('E_LINT_STAGED_CONFIG', `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: `fix the syntax of ${file}`,
    });
  }
}

async function parseYaml(file: string, text: string): Promise<unknown> {
  const { load } = await import('js-yaml');
  try {
    return load(text);
  } catch (error) {
    throw usageError('E_LINT_STAGED_CONFIG', `${file} is not valid YAML: ${(error as Error).message}`, {
      hint: `fix the syntax of ${file}`,
    });
  }
}

const TYPESCRIPT = /\.(c|m)?ts$/;

/** Imports a JS or TS config as lint-staged does (its default export), refusing clearly where Node cannot. */
async function importConfig(found: LintStagedConfigFile): Promise<unknown> {
  const features = process.features as { typescript?: string | false };
  if (TYPESCRIPT.test(found.file) && !features.typescript) {
    throw usageError(
      'E_LINT_STAGED_TS',
      `${found.file} is TypeScript, and this Node (${process.version}) does not run TypeScript: lint-staged loads it with Node's type stripping, which is off here`,
      {
        hint: `run the hook on Node >= 22.18 (types are stripped by default), or set NODE_OPTIONS=--experimental-strip-types, or rename it to ${found.file.replace(TYPESCRIPT, '.$1js')}`,
      },
    );
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(found.abs).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(
      'E_LINT_STAGED_CONFIG',
      `${found.file} could not be loaded${code ? ` (${code})` : ''}: ${(error as Error).message.split('\n')[0]}`,
      {
        hint:
          code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX'
            ? `Node's type stripping takes only erasable TypeScript (no enums or namespaces): simplify ${found.file}`
            : `fix ${found.file}: node -e "import('./${found.file}')" shows the same error`,
        cause: error,
      },
    );
  }
  if (mod.default === undefined || mod.default === null)
    throw usageError('E_LINT_STAGED_CONFIG', `${found.file} has no default export, so it configures nothing`, {
      hint: `export the config: export default { "*.js": "eslint --fix" }`,
    });
  return mod.default;
}

/** Loads one config file found by {@link findLintStagedConfigs}, with lint-staged's loader for its kind. */
export async function loadLintStagedConfigFile(found: LintStagedConfigFile): Promise<LintStagedConfig> {
  const name = basename(found.file);
  const ext = extname(name);
  let value: unknown;
  if (['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'].includes(ext)) value = await importConfig(found);
  else {
    const text = await readText(found.abs);
    if (text === undefined)
      throw usageError('E_LINT_STAGED_CONFIG', `${found.file} could not be read`, { hint: `restore ${found.file}` });
    if (MANIFESTS.has(name)) value = await parseManifest(found.file, text);
    else if (ext === '.json') value = parseJson(found.file, text);
    // `.lintstagedrc` without an extension is YAML to lint-staged (JSON is YAML too).
    else value = await parseYaml(found.file, text);
  }
  const label = MANIFESTS.has(name) ? `${found.file} "lint-staged"` : found.file;
  return { file: found.file, dir: found.dir, entries: toEntries(label, value) };
}

/** Finds and loads every lint-staged config that applies under `root` (see {@link findLintStagedConfigs}). */
export async function loadLintStagedConfigs(
  root: string,
  options: FindLintStagedConfigsOptions = {},
): Promise<LintStagedConfig[]> {
  const found = await findLintStagedConfigs(root, options);
  return Promise.all(found.map((file) => loadLintStagedConfigFile(file)));
}

/**
 * The lint-staged config of the root folder itself (the first in lint-staged's order), loaded;
 * `undefined` when the root has none. Nested per-package configs: {@link findLintStagedConfigs}.
 */
export async function loadLintStagedConfig(root: string): Promise<LintStagedConfig | undefined> {
  const found = (await findLintStagedConfigs(root, { stagedPaths: [] })).filter((config) => config.dir === '');
  return found[0] ? loadLintStagedConfigFile(found[0]) : undefined;
}
