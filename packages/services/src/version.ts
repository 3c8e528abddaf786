/** The first dotted version in a program's `--version` output ("postgres (PostgreSQL) 15.18 (Debian …)" → "15.18"). */
export function parseVersionOutput(output: string): string | undefined {
  return /(?:^|[\s(v=])(\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1];
}

/**
 * Whether a binary's version satisfies a declared one: the declared major (`"15"`) or
 * major.minor (`"1.6"`) must equal the same components of the real version. Pure.
 */
export function versionMatches(declared: string, actual: string): boolean {
  const want = declared.split('.');
  const have = actual.split('.');
  return want.every((part, i) => Number(part) === Number(have[i]));
}
