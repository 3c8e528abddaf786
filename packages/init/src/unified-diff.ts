import { createTwoFilesPatch } from 'diff';

/**
 * A unified diff of one file, as `git diff` shows it: `a/` and `b/` prefixes, /dev/null for a
 * file that does not exist yet. Empty when the texts are equal.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    `b/${path}`,
    before ?? '',
    after,
    undefined,
    undefined,
    {
      context: 3,
    },
  );
  // jsdiff starts with a line of `=` and leaves the header's tab-separated empty timestamps.
  return patch
    .split('\n')
    .filter((line, index) => !(index === 0 && /^=+$/.test(line)))
    .map((line) => (/^(---|\+\+\+) /.test(line) ? line.replace(/\t$/, '') : line))
    .join('\n');
}
