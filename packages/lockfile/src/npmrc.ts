/**
 * Parses .npmrc (ini) into raw key → value strings, the way npm's config reader does for the
 * keys the lockfile check reads: `key=value` lines, `;` and `#` comments, optional quotes,
 * and `${VAR}` expanded from the given environment.
 */
export function parseNpmrc(text: string, env: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const result: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq === -1) {
      result[expand(line, env)] = 'true';
      continue;
    }
    const key = expand(line.slice(0, eq).trim(), env);
    let value = line.slice(eq + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"') && value.length >= 2) || (value.startsWith("'") && value.endsWith("'") && value.length >= 2)) {
      value = value.slice(1, -1);
    }
    result[key] = expand(value, env);
  }
  return result;
}

function expand(value: string, env: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/(\\*)\$\{([^${}?]+)(\?)?\}/g, (whole, slashes: string, name: string, optional?: string) => {
    if (slashes.length % 2 === 1) return whole.slice(1);
    const found = env[name];
    return `${slashes.slice(slashes.length / 2)}${found ?? (optional ? '' : whole)}`;
  });
}

/** npm's boolean coercion of an ini value. */
export function npmrcBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === '') return true;
  if (value === 'false') return false;
  return undefined;
}
