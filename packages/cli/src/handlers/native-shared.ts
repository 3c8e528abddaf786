import { readFileSync } from 'node:fs';

/** devkit's own version: part of every native build's cache key. */
export function devkitVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}
