import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** pnpm's globs find `package.json` (and .yaml/.json5) below each workspace pattern. */
const MANIFEST_SUFFIX = '/package.{json,yaml,json5}';
/** Folders pnpm never looks for workspace projects in. */
export const IGNORED_PROJECT_DIRS = ['**/node_modules/**', '**/bower_components/**'];

/** Workspace patterns as pnpm turns them into manifest globs (`apps/*` → `apps/*\/package.{json,yaml,json5}`). */
export function manifestGlobs(patterns: readonly string[]): string[] {
  return patterns.map((pattern) => pattern.replace(/\/?$/, MANIFEST_SUFFIX));
}

/** Finds the manifests of workspace projects; returns repo-relative `/`-separated paths. */
export type FindManifests = (patterns: readonly string[]) => Promise<string[]>;

/**
 * Reads files of a checkout (the working tree). Synchronous reads under the async signature: a
 * workspace has hundreds of small manifests, and an async read costs four thread-pool round
 * trips (open, stat, read, close) for what a sync read does in a few microseconds.
 */
export function workingTreeReader(root: string): (relPath: string) => Promise<string | undefined> {
  return async (relPath) => {
    try {
      return readFileSync(join(root, relPath), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw error;
    }
  };
}

const MANIFEST_NAMES = ['package.json', 'package.yaml', 'package.json5'];
const LITERAL_OR_STAR = /^(?:\.\/)?[\w@.-]+(?:\/[\w@.-]+)*(?:\/\*)?$|^\.$/;
const IGNORED_NAMES = new Set(['node_modules', 'bower_components']);

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * The common workspace patterns (`apps/*`, `tools/cli`) expanded with one readdir each: loading
 * a glob library costs more than the whole lockfile check. Other patterns return undefined.
 */
function expandSimplePatterns(root: string, patterns: readonly string[]): string[] | undefined {
  if (!patterns.every((pattern) => LITERAL_OR_STAR.test(pattern))) return undefined;
  const dirs = new Set<string>(['']);
  for (const raw of patterns) {
    const pattern = raw.replace(/^\.\//, '');
    if (pattern === '.') continue;
    const segments = pattern.split('/');
    if (segments.some((segment) => IGNORED_NAMES.has(segment) || segment === '..')) return undefined;
    if (segments.at(-1) !== '*') {
      dirs.add(pattern);
      continue;
    }
    const parent = segments.slice(0, -1).join('/');
    let entries;
    try {
      entries = readdirSync(join(root, parent), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || IGNORED_NAMES.has(entry.name)) continue;
      if (entry.isDirectory() || entry.isSymbolicLink()) dirs.add(`${parent}/${entry.name}`);
    }
  }
  const found: string[] = [];
  for (const dir of dirs) {
    for (const name of MANIFEST_NAMES)
      if (isFile(join(root, dir, name))) found.push(dir === '' ? name : `${dir}/${name}`);
  }
  return found;
}

/** Globs the working tree the way pnpm does (tinyglobby, node_modules and bower_components ignored). */
export function workingTreeManifests(root: string): FindManifests {
  return async (patterns) => {
    const simple = expandSimplePatterns(root, patterns);
    if (simple) return simple;
    const { glob } = await import('tinyglobby');
    const paths = await glob([...manifestGlobs(patterns), `.${MANIFEST_SUFFIX}`], {
      cwd: root,
      ignore: IGNORED_PROJECT_DIRS,
      expandDirectories: false,
    });
    return paths.map((path) => path.replace(/^\.\//, ''));
  };
}

/**
 * Selects manifests from a list of paths (e.g. `git ls-files` of the index), with the same
 * pattern rules as the working-tree glob, so a pre-commit check sees the staged projects.
 */
export function listedManifests(paths: readonly string[]): FindManifests {
  return async (patterns) => {
    const { default: picomatch } = await import('picomatch');
    const include: string[] = [];
    const exclude: string[] = [...IGNORED_PROJECT_DIRS];
    for (const glob of manifestGlobs(patterns)) {
      if (glob.startsWith('!')) exclude.push(glob.slice(1));
      else include.push(glob.replace(/^\.\//, ''));
    }
    include.push(MANIFEST_SUFFIX.slice(1));
    const isIncluded = picomatch(include, { dot: false });
    const isExcluded = picomatch(exclude, { dot: true });
    return paths.filter((path) => isIncluded(path) && !isExcluded(path));
  };
}
