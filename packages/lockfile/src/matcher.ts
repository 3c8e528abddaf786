/**
 * pnpm's name matcher (used by ignoredOptionalDependencies): `*` matches anything, a leading
 * `!` excludes, and with several patterns an exclusion after an inclusion wins.
 */
export function createMatcher(patterns: readonly string[]): (input: string) => boolean {
  const compiled = patterns.map((pattern) => {
    const ignore = pattern.startsWith('!');
    const body = ignore ? pattern.slice(1) : pattern;
    const regexp = new RegExp(`^${body.replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return { ignore, test: (input: string) => regexp.test(input) };
  });
  if (compiled.length === 0) return () => false;
  if (compiled.length === 1) {
    const only = compiled[0]!;
    return only.ignore ? (input) => !only.test(input) : only.test;
  }
  const hasInclude = compiled.some((m) => !m.ignore);
  const hasIgnore = compiled.some((m) => m.ignore);
  if (!hasIgnore) return (input) => compiled.some((m) => m.test(input));
  // only exclusions: pnpm's matcher reports "matched" when no exclusion matches
  if (!hasInclude) return (input) => !compiled.some((m) => m.test(input));
  return (input) => {
    let matched = false;
    for (const m of compiled) {
      if (m.ignore) {
        if (m.test(input)) matched = false;
      } else if (!matched && m.test(input)) matched = true;
    }
    return matched;
  };
}
