import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BUILTIN_BUILDERS, HOOK_NAMES, loadConfig, type DevkitConfig } from '@devkit/config';
import type { CompletionSource } from '../spec.js';
import { SHELLS } from './scripts.js';

/** The sources whose values come from devkit.json, which is then read (once). */
const CONFIG_SOURCES: ReadonlySet<CompletionSource> = new Set([
  'services',
  'environments',
  'deployables',
  'builders',
  'targets',
  'packages',
]);

export function needsConfig(source: CompletionSource): boolean {
  return CONFIG_SOURCES.has(source);
}

/**
 * devkit.json of the repo at `cwd`, or nothing: completion never fails, it offers less. A file
 * that validated before comes from loadConfig's cache, so this is a read and a hash.
 */
export async function readConfigQuietly(cwd: string): Promise<{ root: string; config: DevkitConfig }> {
  try {
    const loaded = await loadConfig(cwd);
    return { root: loaded.root, config: loaded.config };
  } catch {
    return { root: resolve(cwd), config: {} };
  }
}

/** The names a source offers in this repo. */
export function sourceValues(source: CompletionSource, root: string, config: DevkitConfig): readonly string[] {
  switch (source) {
    case 'services':
      return Object.keys(config.services ?? {});
    case 'environments':
      return Object.keys(config.environments ?? {});
    case 'deployables':
      // The artifact name is the folder's name, lower-cased (artifact's resolveDeployables).
      return (config.artifacts?.deployables ?? []).map((dir) => basename(dir.replace(/\/+$/, '')).toLowerCase());
    case 'builders':
      return [...new Set([...BUILTIN_BUILDERS, ...Object.keys(config.native?.builders ?? {})])];
    case 'targets':
      return Object.keys(config.native?.targets ?? {});
    case 'packages':
      return Object.keys(config.native?.packages ?? {});
    case 'hooks':
      return HOOK_NAMES;
    case 'snapshots':
      try {
        return readdirSync(join(root, '.devkit', 'snapshots')).filter((name) => !name.startsWith('.'));
      } catch {
        return [];
      }
    case 'shells':
      return SHELLS;
    case 'files':
    case 'dirs':
      return [];
  }
}
