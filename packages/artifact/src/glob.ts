import picomatch from 'picomatch';

/**
 * Globs over repo- or package-relative POSIX paths, through picomatch (the one glob library
 * devkit uses): `**` any depth, `*` within one segment, `?`, `[…]`, braces (`{dist,build}/**`),
 * dotfiles included (turbo caches `dist/.hidden` under `dist/*`). A pattern with no wildcard
 * also matches everything under it (a folder name: `dist`, `dist/`).
 */
export function globToRegExp(glob: string): RegExp {
  const clean = cleanGlob(glob);
  if (isLiteral(clean)) return new RegExp(`^${clean.replace(/[.+*?^${}()|[\]\\]/g, '\\$&')}(?:/.*)?$`);
  return picomatch.makeRe(clean, PICOMATCH_OPTIONS);
}

const PICOMATCH_OPTIONS = { dot: true, strictBrackets: true } as const;

function cleanGlob(glob: string): string {
  return glob.replace(/^\.\//, '').replace(/\/+$/, '');
}

function isLiteral(glob: string): boolean {
  return !picomatch.scan(glob).isGlob;
}

/** One pattern as a test: a literal matches itself and what is under it, a glob the paths it matches. */
function compileOne(glob: string): (path: string) => boolean {
  const clean = cleanGlob(glob);
  if (isLiteral(clean)) return (path) => path === clean || path.startsWith(`${clean}/`);
  const test = picomatch(clean, PICOMATCH_OPTIONS);
  return (path) => test(path);
}

/** Whether `path` or one of the folders above it matches: a negation in turbo excludes a folder's contents. */
function selfOrAncestor(test: (path: string) => boolean): (path: string) => boolean {
  return (path) => {
    for (let p = path; p.length > 0; p = p.slice(0, Math.max(p.lastIndexOf('/'), 0))) if (test(p)) return true;
    return false;
  };
}

/**
 * Whether a path matches a list of patterns where `!pattern` excludes, the last match winning
 * (package.json "files", as npm reads it).
 */
export function matchesPatterns(path: string, patterns: readonly string[]): boolean {
  return compilePatterns(patterns)(path);
}

/** {@link matchesPatterns} compiled once for many paths. */
export function compilePatterns(patterns: readonly string[]): (path: string) => boolean {
  const compiled = patterns.map((pattern) => {
    const negated = pattern.startsWith('!');
    return { negated, test: compileOne(negated ? pattern.slice(1) : pattern) };
  });
  return (path) => {
    let matched = false;
    for (const { negated, test } of compiled) if (test(path)) matched = !negated;
    return matched;
  };
}

/**
 * Turbo's `outputs` as turbo's cache reads them: a file is an output when it matches some
 * pattern and no `!pattern`, whatever their order; a negation covers a folder's contents
 * (`!dist/sub` drops `dist/sub/**`). Checked against turbo 2.11's own cache restores:
 * `dist/*` keeps `dist/.hidden` but not `dist/sub/x`, `!dist/**\/*.map` drops maps at any depth.
 */
export function compileOutputs(outputs: readonly string[]): (path: string) => boolean {
  const include: Array<(path: string) => boolean> = [];
  const exclude: Array<(path: string) => boolean> = [];
  for (const pattern of outputs) {
    if (pattern.startsWith('!')) exclude.push(selfOrAncestor(compileOne(pattern.slice(1))));
    else include.push(compileOne(pattern));
  }
  return (path) => include.some((t) => t(path)) && !exclude.some((t) => t(path));
}
