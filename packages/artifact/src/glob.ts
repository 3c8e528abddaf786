/**
 * A small glob → RegExp for the output patterns turbo.json and package.json "files" use:
 * `**` any depth, `*` within one segment, `?` one character; a pattern with no wildcard also
 * matches everything under it (a folder name).
 */
export function globToRegExp(glob: string): RegExp {
  const clean = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  let out = '';
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i]!;
    if (c === '*') {
      if (clean[i + 1] === '*') {
        const slash = clean[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const literal = !/[*?]/.test(clean);
  return new RegExp(`^${out}${literal ? '(?:/.*)?' : ''}$`);
}

/** Whether a path matches a list of patterns where `!pattern` excludes (last match wins). */
export function matchesPatterns(path: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(path)) matched = !negated;
  }
  return matched;
}
