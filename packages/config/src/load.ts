import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ignoreOwnFolder, readFileIfExists, sha256, usageError, writeFileAtomic } from '@devkit/core';
import { bundleDigest } from '@devkit/core/install';
import type { DevkitConfig } from './schema.js';

export const CONFIG_FILE = 'devkit.json';

export interface LoadedConfig {
  /** The repo root: the folder holding devkit.json (or pnpm-workspace.yaml, or the cwd). */
  root: string;
  /** Absolute path of devkit.json, whether or not it exists. */
  file: string;
  found: boolean;
  config: DevkitConfig;
}

/**
 * Finds the repo root: the nearest folder up from `cwd` holding devkit.json or
 * pnpm-workspace.yaml (a workspace nested in a bigger repo is its own root, as it is for pnpm),
 * else `cwd`.
 */
export function findRoot(cwd: string): string {
  const start = resolve(cwd);
  for (let dir = start; ;) {
    if (existsSync(join(dir, CONFIG_FILE)) || existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

let validatorDigest: string | undefined;
/**
 * Identity of the validator itself (schema and rules source), so a devkit upgrade that changes
 * what is valid never trusts a verdict cached by an older one.
 */
function validatorIdentity(): string {
  // Bundled, the validator's modules are no longer files of their own: the bundle's digest
  // stands for them (and for everything else in it, which only makes the cache more careful).
  validatorDigest ??= bundleDigest();
  if (validatorDigest === undefined) {
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    validatorDigest = sha256(
      ['schema', 'rules', 'validate']
        .map((name) => readFileSync(new URL(`./${name}.${ext}`, import.meta.url), 'utf8'))
        .join('\0'),
    );
  }
  return validatorDigest;
}

function cachePath(root: string): string {
  return join(root, '.devkit', 'cache', 'config.json');
}

/**
 * Loads devkit.json from the repo root containing `cwd`. A missing file gives the defaults.
 *
 * Validation loads zod and a JSON parser that tracks positions, which costs more than the rest
 * of a warm `devkit bootstrap` or `devkit hooks run` together; so a file that validated before
 * (same bytes, same validator) is taken from `.devkit/cache/config.json` without re-validating.
 */
export async function loadConfig(cwd: string): Promise<LoadedConfig> {
  const root = findRoot(cwd);
  const file = join(root, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { root, file, found: false, config: {} };
    throw usageError('E_CONFIG_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: `check the permissions of ${file}`,
    });
  }
  const key = sha256(`${validatorIdentity()}\0${text}`);
  const cached = await readFileIfExists(cachePath(root)).catch(() => undefined);
  if (cached !== undefined) {
    try {
      const entry = JSON.parse(cached) as { key?: string; config?: DevkitConfig };
      if (entry.key === key && entry.config) return { root, file, found: true, config: entry.config };
    } catch {
      // a damaged cache is just a miss
    }
  }
  const { parseConfig } = await import('./validate.js');
  const config = parseConfig(text, file, cwd);
  // Best effort: a read-only checkout still works, it only validates every time.
  await writeFileAtomic(cachePath(root), `${JSON.stringify({ key, config })}\n`)
    .then(() => ignoreOwnFolder(root))
    .catch(() => undefined);
  return { root, file, found: true, config };
}
