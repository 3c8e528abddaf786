/**
 * Parses .npmrc (ini) into raw key → value strings, the way npm's config reader does for the
 * keys the lockfile check reads: `key=value` lines, `;` and `#` comments, optional quotes,
 * and `${VAR}` expanded from the given environment.
 */
export function parseNpmrc(
  text: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
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
    if (
      (value.startsWith('"') && value.endsWith('"') && value.length >= 2) ||
      (value.startsWith("'") && value.endsWith("'") && value.length >= 2)
    ) {
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

/** A setting's value as pnpm's config reader types it: what it compares with the lockfile. */
export type SettingValue = boolean | number | string | null;

/**
 * npm's typing of an ini value for a boolean or number setting: `true`/`false`/`null`, a
 * numeric string for numbers; anything else stays the string it is (and so never equals what
 * the lockfile records, as pnpm compares them).
 */
export function npmrcValue(raw: string, kind: 'boolean' | 'number'): SettingValue {
  let value = raw.trim();
  if (/^".*"$/.test(value)) {
    try {
      value = String(JSON.parse(value));
    } catch {
      // kept as written
    }
  }
  if (kind === 'boolean') {
    // `key=` with nothing after it turns a flag on, as a bare `key` does
    if (value === 'true' || value === '') return true;
    if (value === 'false') return false;
    if (value === 'null') return null;
    return value;
  }
  if (value !== '' && !Number.isNaN(Number(value))) return Number(value);
  return value === 'null' ? null : value;
}

/** npm's boolean coercion of an ini value; undefined when unset or not a boolean. */
export function npmrcBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const typed = npmrcValue(value, 'boolean');
  return typeof typed === 'boolean' ? typed : undefined;
}
