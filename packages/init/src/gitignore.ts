/**
 * What devkit and turbo write inside the repo, which must never be committed: devkit's folder,
 * turbo's, and the services' URLs `devkit up` writes for this checkout's ports.
 */
export const IGNORED_PATHS = ['.devkit/', '.turbo/', '.env.devkit'] as const;

const BEGIN = '# devkit: local state, services data, artifact store and turbo cache (devkit init)';
const END = '# end devkit';

/** Whether a .gitignore line already ignores `dir` (`.devkit/`, `.env.devkit`) at the root or anywhere. */
function ignores(lines: readonly string[], dir: string): boolean {
  const bare = dir.replace(/\/$/, '');
  return lines.some((line) =>
    [bare, `${bare}/`, `/${bare}`, `/${bare}/`, `**/${bare}`, `**/${bare}/`].includes(line.trim()),
  );
}

/**
 * .gitignore with devkit's paths: appended once, in a marked block, only those not ignored
 * yet. Returns the text unchanged when there is nothing to add.
 */
export function planGitignore(current: string | undefined): string {
  const text = current ?? '';
  const lines = text.split(/\r?\n/);
  if (lines.some((l) => l.trim() === BEGIN)) return text;
  const missing = IGNORED_PATHS.filter((dir) => !ignores(lines, dir));
  if (missing.length === 0) return text;
  const sep = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${sep}${BEGIN}\n${missing.join('\n')}\n${END}\n`;
}
