/** `--color` / `--no-color` as given on the command line (the last one wins); undefined when neither. */
export type ColorFlag = boolean | undefined;

/**
 * Whether output written to one stream is coloured. Each stream decides for itself, so
 * `devkit doctor > report.txt` in a terminal writes plain text to the file and still colours
 * the errors on stderr. In order, the first rule that applies decides:
 *
 * 1. `--color` / `--no-color`: the command line is the most specific wish.
 * 2. `FORCE_COLOR` (Node's and chalk's convention): `1`, `2`, `3`, `true` or empty → colour,
 *    even without a terminal and over `NO_COLOR` and `TERM=dumb`, as Node itself does; any
 *    other value (`0`, `false`, …) → none.
 * 3. `NO_COLOR` set and not empty (no-color.org) → none.
 * 4. `TERM=dumb` → none.
 * 5. Otherwise colour exactly when the stream is a terminal.
 */
export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv, flag: ColorFlag = undefined): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ['', '1', '2', '3', 'true'].includes(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/**
 * `--color` / `--no-color` in argv, read before parsing so that even a usage error is printed
 * as asked. Stops at `--`: what follows belongs to another program (`devkit exec -- ls --color`).
 */
export function colorFlagOf(argv: readonly string[]): ColorFlag {
  let flag: ColorFlag;
  for (const token of argv) {
    if (token === '--') break;
    if (token === '--color') flag = true;
    else if (token === '--no-color') flag = false;
  }
  return flag;
}
