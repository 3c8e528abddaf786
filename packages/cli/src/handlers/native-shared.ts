import { readFileSync } from 'node:fs';
import { usageError } from '@devkit/core';

/** devkit's own version: part of every native build's cache key. */
export function devkitVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Splits a comma-separated flag value (`--target a,b`); undefined when the flag was not given.
 * `usage` is the command to suggest when the value is missing, with real names in it.
 */
export function listFlag(value: string | boolean | undefined, flag: string, usage: string): string[] | undefined {
  if (value === undefined || value === false) return undefined;
  const items = value === true ? [] : value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw usageError('E_USAGE', `--${flag} needs one name or more, separated by commas`, { hint: usage });
  return items;
}

/** The example for a list flag: the names devkit.json declares, or a placeholder when it declares none. */
export function exampleList(names: readonly string[], placeholder: string): string {
  return names.length > 0 ? names.join(',') : placeholder;
}
