import { createRequire } from 'node:module';
import type * as Semver from 'semver';

/**
 * semver costs ~25 ms to load (it builds all its regexps up front) and devkit runs this check on
 * every commit, so the common cases are decided here and semver is loaded only for the rest.
 */
let loaded: typeof Semver | undefined;
export function semver(): typeof Semver {
  loaded ??= createRequire(import.meta.url)('semver') as typeof Semver;
  return loaded;
}

const PLAIN_VERSION = /^(\d+)\.(\d+)\.(\d+)$/;
const SIMPLE_RANGE = /^([\^~]?)(\d+)\.(\d+)\.(\d+)$/;

/** `semver.validRange(spec) !== null`, without loading semver for common specifiers. */
export function isValidRange(spec: string): boolean {
  if (SIMPLE_RANGE.test(spec)) return true;
  // no range contains ':' or '/': protocols (workspace:, catalog:, npm:, link:, file:, URLs) and git shorthands
  if (spec.includes(':') || spec.includes('/')) return false;
  return semver().validRange(spec) !== null;
}

/** `semver.valid(version) !== null`, without loading semver for plain versions and links. */
export function isValidVersion(version: string): boolean {
  if (PLAIN_VERSION.test(version)) return true;
  if (version.includes(':') || version.includes('/')) return false;
  return semver().valid(version) !== null;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! - b[i]!;
  return 0;
}

/** `semver.satisfies(version, range)`, computed directly for a plain version and an exact, ^ or ~ range. */
export function satisfies(version: string, range: string): boolean {
  const v = PLAIN_VERSION.exec(version);
  const r = SIMPLE_RANGE.exec(range);
  if (!v || !r) return semver().satisfies(version, range);
  const have = [Number(v[1]), Number(v[2]), Number(v[3])];
  const want = [Number(r[2]), Number(r[3]), Number(r[4])];
  const [major, minor] = want as [number, number, number];
  if (compare(have, want) < 0) return false;
  switch (r[1]) {
    case '':
      return compare(have, want) === 0;
    case '~':
      return have[0] === major && have[1] === minor;
    default:
      // caret: the left-most non-zero part is fixed
      if (major > 0) return have[0] === major;
      if (minor > 0) return have[0] === 0 && have[1] === minor;
      return compare(have, want) === 0;
  }
}
