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
  if (desugar(spec)) return true;
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

/** A comparator as semver desugars it: an operator and a version whose `pre` is 0 for `-0`, 1 for none. */
interface Comparator {
  op: '' | '<' | '<=' | '>' | '>=';
  v: [number, number, number, number];
}

const COMPARATOR = /^(<=|>=|<|>|=|\^|~)?(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?)?$/;

/**
 * Desugars a range of plain comparators (`^1.2.3`, `~1.2`, `<6`, `>=1 <2`, `1.2.3`) the way
 * semver 7 does; undefined for any other range (`||`, x-ranges, prereleases, hyphens…) and for
 * one that touches 0.0.0, where semver has special cases.
 */
function desugar(range: string): Comparator[] | undefined {
  const parts = range.trim().split(/\s+/);
  if (parts.length > 2) return undefined;
  const out: Comparator[] = [];
  for (const part of parts) {
    const m = COMPARATOR.exec(part);
    if (!m) return undefined;
    const op = m[1] ?? '';
    const M = Number(m[2]);
    const n = m[3] === undefined ? undefined : Number(m[3]);
    const p = m[4] === undefined ? undefined : Number(m[4]);
    const v = (a: number, b: number, c: number, pre = 1): Comparator['v'] => [a, b, c, pre];
    if (![M, n ?? 0, p ?? 0].every(Number.isSafeInteger)) return undefined;
    if (op === '^') {
      const low = v(M, n ?? 0, p ?? 0);
      const high =
        M > 0 || n === undefined ? v(M + 1, 0, 0, 0) : n > 0 || p === undefined ? v(0, n + 1, 0, 0) : v(0, 0, p + 1, 0);
      out.push({ op: '>=', v: low }, { op: '<', v: high });
    } else if (op === '~' || ((op === '' || op === '=') && p === undefined)) {
      const high = n === undefined ? v(M + 1, 0, 0, 0) : v(M, n + 1, 0, 0);
      out.push({ op: '>=', v: v(M, n ?? 0, p ?? 0) }, { op: '<', v: high });
    } else if (op === '' || op === '=') {
      out.push({ op: '', v: v(M, n!, p!) });
    } else if (p !== undefined) {
      out.push({ op: op as Comparator['op'], v: v(M, n!, p) });
    } else if (op === '<') {
      out.push({ op: '<', v: v(M, n ?? 0, 0, 0) });
    } else if (op === '<=') {
      out.push({ op: '<', v: n === undefined ? v(M + 1, 0, 0, 0) : v(M, n + 1, 0, 0) });
    } else if (op === '>') {
      out.push({ op: '>=', v: n === undefined ? v(M + 1, 0, 0) : v(M, n + 1, 0) });
    } else {
      out.push({ op: '>=', v: v(M, n ?? 0, 0) });
    }
  }
  // semver drops `>=0.0.0` and special-cases `<0.0.0`: leave those to it
  if (out.some((c) => c.v[0] === 0 && c.v[1] === 0 && c.v[2] === 0)) return undefined;
  return out;
}

function compareVersions(a: Comparator['v'], b: Comparator['v']): number {
  for (let i = 0; i < 4; i++) if (a[i]! !== b[i]!) return a[i]! - b[i]!;
  return 0;
}

function test(c: Comparator, v: Comparator['v']): boolean {
  const d = compareVersions(v, c.v);
  return c.op === '' ? d === 0 : c.op === '<' ? d < 0 : c.op === '<=' ? d <= 0 : c.op === '>' ? d > 0 : d >= 0;
}

/** semver's Comparator#intersects, for the comparators `desugar` makes. */
function comparatorsIntersect(a: Comparator, b: Comparator): boolean {
  if (a.op === '') return test(b, a.v);
  if (b.op === '') return test(a, b.v);
  if (a.op[0] === b.op[0]) return true;
  const d = compareVersions(a.v, b.v);
  if (d === 0 && a.op.includes('=') && b.op.includes('=')) return true;
  if (d < 0 && a.op[0] === '>' && b.op[0] === '<') return true;
  return d > 0 && a.op[0] === '<' && b.op[0] === '>';
}

const satisfiable = (set: Comparator[]) => set.every((a) => set.every((b) => comparatorsIntersect(a, b)));

/** `semver.intersects(a, b)`, computed directly for ranges of plain comparators. */
export function intersects(a: string, b: string): boolean {
  const left = desugar(a);
  const right = desugar(b);
  if (!left || !right) return semver().intersects(a, b);
  return satisfiable(left) && satisfiable(right) && left.every((x) => right.every((y) => comparatorsIntersect(x, y)));
}
