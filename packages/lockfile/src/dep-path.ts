/**
 * pnpm's dependency paths (`name@version(peer@1.0.0)`), as its dependency-path package reads
 * them: which package a reference in the lockfile points at.
 */

/** Where the peer / patch suffix of a dependency path starts (balanced parentheses from the end). */
function suffixStart(depPath: string): number {
  if (!depPath.endsWith(')')) return -1;
  let open = 1;
  for (let i = depPath.length - 2; i >= 0; i--) {
    const char = depPath[i];
    if (char === '(') open--;
    else if (char === ')') open++;
    else if (open === 0) return i + 1;
  }
  return -1;
}

/** Strips the peer and patch suffix: `1.0.0(react@18.3.1)` → `1.0.0`, `a@1.0.0(patch_hash=x)` → `a@1.0.0`. */
export function removeSuffix(depPath: string): string {
  const start = suffixStart(depPath);
  return start === -1 ? depPath : depPath.slice(0, start);
}

/** The dependency path a reference points at (`null` for a `link:`), as pnpm's refToRelative. */
export function refToRelative(reference: string, alias: string): string | null {
  if (reference.startsWith('link:')) return null;
  if (reference[0] === '@') return reference;
  const at = reference.indexOf('@');
  if (at === -1) return `${alias}@${reference}`;
  const colon = reference.indexOf(':');
  const bracket = reference.indexOf('(');
  if ((colon === -1 || at < colon) && (bracket === -1 || at < bracket)) return reference;
  return `${alias}@${reference}`;
}
