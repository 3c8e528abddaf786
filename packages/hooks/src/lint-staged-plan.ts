import { isAbsolute, join, posix, relative } from 'node:path';
import type { LintStagedConfig } from './lint-staged-config.js';
import { globMatcher, type TaskSource } from './tasks.js';

/** One glob of one config on one chunk of files: its tasks run in order, in `cwd`. */
export interface LintStagedGroup {
  /** The config it comes from (relative to the root), `default` for devkit's own. */
  config: string;
  glob: string;
  /** Where its commands run (absolute): the config's folder when there are several configs, else the root. */
  cwd: string;
  /** Matched files, relative to the root. Empty when nothing matched: function tasks are still called, as lint-staged does. */
  files: string[];
  tasks: TaskSource[];
}

export interface PlanLintStagedOptions {
  /** Absolute root: where lint-staged would be started (the hook's folder). */
  root: string;
  /** lint-staged's `--max-arg-length` default: half the platform's command-line limit. */
  maxArgLength?: number | undefined;
}

/** lint-staged 16's default `maxArgLength` (lib/index.js): half of what the platform allows. */
export function defaultMaxArgLength(platform: NodeJS.Platform = process.platform): number {
  if (platform === 'darwin') return 262_144 / 2;
  if (platform === 'win32') return 8191 / 2;
  return 131_072 / 2;
}

/** Splits files into `count` nearly equal runs, as lint-staged's chunkFiles does. */
function chunkEvenly<T>(items: T[], count: number): T[][] {
  if (count === 1) return [items];
  const chunks: T[][] = [];
  let position = 0;
  for (let i = 0; i < count; i++) {
    const length = Math.ceil((items.length - position) / (count - i));
    chunks.push(items.slice(position, position + length));
    position += length;
  }
  return chunks;
}

function chunksOf(abs: string[], maxArgLength: number): string[][] {
  const length = abs.reduce((sum, path) => sum + path.length, 0) + Math.max(abs.length - 1, 0);
  const count = Math.min(Math.ceil(length / maxArgLength), abs.length);
  return count === 0 ? [] : chunkEvenly(abs, count);
}

const toSlash = (path: string) => path.split('\\').join('/');

/**
 * Pure: lint-staged 16's plan for the staged files (runAll.js, groupFilesByConfig.js,
 * generateTasks.js). `configs` come in lint-staged's order (deepest first). Each file belongs to
 * the first config whose folder holds it, or to a config with a glob starting with `..`, which
 * takes every file not yet taken. With one config, globs match paths relative to the root and
 * commands run there; with several, each config's globs match paths relative to its own folder
 * and its commands run in that folder. A glob without `/` matches the file name anywhere.
 * Files are chunked per config when their absolute paths would make a command line too long.
 */
export function planLintStaged(
  configs: readonly LintStagedConfig[],
  files: readonly string[],
  options: PlanLintStagedOptions,
): LintStagedGroup[] {
  const maxArgLength = options.maxArgLength ?? defaultMaxArgLength();
  const remaining = new Set(files);
  const groups: LintStagedGroup[] = [];
  for (const config of configs) {
    const dir = join(options.root, config.dir);
    const includeAll = config.entries.some((entry) => entry.glob.startsWith('..'));
    const scoped = [...remaining].filter((file) => {
      if (includeAll) return true;
      const rel = relative(dir, join(options.root, file));
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    });
    for (const file of scoped) remaining.delete(file);
    const cwd = configs.length > 1 ? dir : options.root;
    const abs = scoped.map((file) => toSlash(join(options.root, file)));
    for (const chunk of chunksOf(abs, maxArgLength)) {
      const relToCwd = chunk.map((path) => ({ path, rel: toSlash(relative(cwd, path)) }));
      for (const entry of config.entries) {
        const parentGlob = entry.glob.startsWith('../');
        const matches = globMatcher(entry.glob);
        const matched = relToCwd
          .filter(({ rel }) => parentGlob || (!rel.startsWith('..') && !posix.isAbsolute(rel)))
          .filter(({ rel }) => matches(rel))
          .map(({ path }) => toSlash(relative(options.root, path)));
        groups.push({ config: config.file, glob: entry.glob, cwd, files: matched, tasks: entry.tasks });
      }
    }
  }
  return groups;
}
