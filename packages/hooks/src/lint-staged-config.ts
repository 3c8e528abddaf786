import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { usageError } from '@devkit/core';
import type { LintStagedEntry, TaskSource } from './tasks.js';

/** Where lint-staged looks for its config, in its order. */
export const LINT_STAGED_CONFIG_FILES = [
  'package.json',
  '.lintstagedrc',
  '.lintstagedrc.json',
  '.lintstagedrc.yaml',
  '.lintstagedrc.yml',
  '.lintstagedrc.mjs',
  '.lintstagedrc.js',
  '.lintstagedrc.cjs',
  'lint-staged.config.mjs',
  'lint-staged.config.js',
  'lint-staged.config.cjs',
] as const;

export interface LintStagedConfig {
  /** The file it came from, relative to the root (`package.json` for its "lint-staged" key). */
  file: string;
  entries: LintStagedEntry[];
}

function invalid(file: string, key: string | undefined, found: string): never {
  const where = key === undefined ? file : `${file} key ${JSON.stringify(key)}`;
  throw usageError(
    'E_LINT_STAGED_CONFIG',
    `${where}: expected a command, a list of commands or a function, found ${found}`,
    {
      hint: `edit ${file}: e.g. { "*.{ts,js}": "eslint --fix" }`,
    },
  );
}

/** Pure: turns a parsed lint-staged config value into entries, validating its shape. */
export function toEntries(file: string, value: unknown): LintStagedEntry[] {
  if (typeof value === 'function') return [{ glob: '*', tasks: [value as TaskSource] }];
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid(file, undefined, JSON.stringify(value) ?? String(value));
  const entries: LintStagedEntry[] = [];
  for (const [glob, tasks] of Object.entries(value as Record<string, unknown>)) {
    const list = Array.isArray(tasks) ? tasks : [tasks];
    for (const task of list) {
      if (typeof task !== 'string' && typeof task !== 'function')
        invalid(file, glob, JSON.stringify(task) ?? String(task));
    }
    entries.push({ glob, tasks: list as TaskSource[] });
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

/**
 * Finds and loads the repo's lint-staged config (its own formats: a "lint-staged" key in
 * package.json, .lintstagedrc as JSON or YAML, or a JS module). `undefined` when there is none.
 */
export async function loadLintStagedConfig(root: string): Promise<LintStagedConfig | undefined> {
  for (const name of LINT_STAGED_CONFIG_FILES) {
    const path = join(root, name);
    if (!existsSync(path)) continue;
    if (name === 'package.json') {
      const pkg = parseJson(name, readFileSync(path, 'utf8')) as Record<string, unknown> | null;
      if (pkg && typeof pkg === 'object' && 'lint-staged' in pkg)
        return { file: name, entries: toEntries(`${name} "lint-staged"`, pkg['lint-staged']) };
      continue;
    }
    if (/\.(m|c)?js$/.test(name)) {
      let mod: { default?: unknown };
      try {
        mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
      } catch (error) {
        throw usageError('E_LINT_STAGED_CONFIG', `${name} could not be loaded: ${(error as Error).message}`, {
          hint: `fix ${name}`,
          cause: error,
        });
      }
      return { file: name, entries: toEntries(name, mod.default ?? mod) };
    }
    const text = readFileSync(path, 'utf8');
    if (name.endsWith('.json') || (name === '.lintstagedrc' && /^\s*\{/.test(text)))
      return { file: name, entries: toEntries(name, parseJson(name, text)) };
    const { load } = await import('js-yaml');
    let value: unknown;
    try {
      value = load(text);
    } catch (error) {
      throw usageError('E_LINT_STAGED_CONFIG', `${name} is not valid YAML: ${(error as Error).message}`, {
        hint: `fix the syntax of ${name}`,
      });
    }
    return { file: name, entries: toEntries(name, value) };
  }
  return undefined;
}
