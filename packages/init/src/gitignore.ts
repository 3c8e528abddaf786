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

/** The paths of IGNORED_PATHS that `current` (a .gitignore's text) does not ignore yet. */
export function missingIgnores(current: string | undefined): string[] {
  const lines = (current ?? '').split(/\r?\n/);
  return IGNORED_PATHS.filter((path) => !ignores(lines, path));
}

/**
 * .gitignore with devkit's paths: appended once, in a marked block, only those not ignored
 * yet; a block an earlier devkit init wrote gains what it lacks (a path devkit writes since).
 * Returns the text unchanged when there is nothing to add.
 */
export function planGitignore(current: string | undefined): string {
  const text = current ?? '';
  const missing = missingIgnores(text);
  if (missing.length === 0) return text;
  const lines = text.split(/\r?\n/);
  const begin = lines.findIndex((l) => l.trim() === BEGIN);
  const end = lines.findIndex((l, i) => i > begin && l.trim() === END);
  if (begin >= 0 && end > begin) {
    lines.splice(end, 0, ...missing);
    return lines.join(text.includes('\r\n') ? '\r\n' : '\n');
  }
  const sep = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${sep}${BEGIN}\n${missing.join('\n')}\n${END}\n`;
}
