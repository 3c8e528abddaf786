import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT, git, gitInit, runDevkit, tempDir, writeFiles, type DevkitRun } from '@devkit/test-utils';

/** A small JS-only ESLint config: real ESLint, fixable and unfixable rules, fast to load. */
export const ESLINT_CONFIG = `export default [
  { files: ['**/*.js'], rules: { 'no-unused-vars': 'error', 'prefer-const': 'error', semi: ['error', 'always'] } },
];
`;

/** The environment hooks run in: no git variables from an outer hook, hooks enabled. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('GIT_') && key !== 'HUSKY') env[key] = value;
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * A git repo with a package.json, an ESLint config and one committed file. Its node_modules is
 * devkit's own (a symlink), so the repo's eslint and node_modules/.bin/devkit are the real ones.
 */
export function makeRepo(files: Record<string, string | object> = {}): string {
  const repo = tempDir('devkit-hooks-');
  gitInit(repo);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(repo, 'node_modules'));
  writeFiles(repo, {
    '.gitignore': 'node_modules\n.devkit/\n',
    'package.json': { name: 'hooks-fixture', private: true, type: 'module' },
    'eslint.config.js': ESLINT_CONFIG,
    'src/keep.js': 'export const keep = 1;\n',
    ...files,
  });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'initial');
  return repo;
}

export async function devkit(
  args: readonly string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<DevkitRun> {
  return runDevkit(args, { cwd, env: { ...cleanEnv(), ...env } as Record<string, string | undefined> });
}

/** `devkit hooks install`, asserting it worked, and the hook file committed (as a repo would have it). */
export async function installHooks(repo: string, options: { commit?: boolean } = {}): Promise<void> {
  const run = await devkit(['hooks', 'install'], repo);
  expect(run.exitCode, run.stderr + run.stdout).toBe(0);
  if (options.commit ?? true) {
    git(repo, 'add', '.husky/pre-commit');
    git(repo, 'commit', '-qm', 'hooks', '--no-verify');
  }
}

export interface GitRun {
  status: number | null;
  output: string;
}

/** A real `git commit` (the installed hook runs), never throwing. */
export function commit(
  repo: string,
  args: readonly string[] = [],
  env: Record<string, string | undefined> = {},
): GitRun {
  const result = spawnSync('git', ['commit', '-m', 'change', ...args], {
    cwd: repo,
    env: cleanEnv(env),
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export function headSubject(repo: string): string {
  return git(repo, 'log', '-1', '--format=%s').trim();
}

/** The committed content of a path at HEAD. */
export function committed(repo: string, path: string): string {
  return git(repo, 'show', `HEAD:${path}`);
}

/** Bytes and mtime of a file: what "untouched" means. */
export function fingerprint(path: string): { content: string; mtimeMs: number } {
  return { content: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs };
}
