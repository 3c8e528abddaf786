import { readFileSync } from 'node:fs';
import { usageError } from '@devkit/core';

/** devkit's own version: part of every native build's cache key. */
export function devkitVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Splits a comma-separated flag value (`--target a,b`); undefined when the flag was not given. */
export function listFlag(value: string | boolean | undefined, flag: string): string[] | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) throw usageError('E_USAGE', `--${flag} needs a value`, { hint: `e.g. --${flag} linux-x64-gnu,darwin-arm64` });
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw usageError('E_USAGE', `--${flag} needs at least one name`);
  return items;
}
