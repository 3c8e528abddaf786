import { isAbsolute, relative, sep } from 'node:path';

/**
 * Folders devkit and turbo write inside a checkout, at any depth: devkit's store, service data
 * and generated files (`.devkit/`), turbo's cache and task logs (`.turbo/`). They are never
 * part of the tree's state, whether or not .gitignore lists them.
 */
export const OWN_FOLDERS = ['.devkit', '.turbo'] as const;

/** Files devkit writes at the root of a checkout: the service environment `devkit up` writes. */
export const OWN_ROOT_FILES = ['.env.devkit'] as const;

/**
 * Git pathspecs that leave devkit's own folders (and `extra` repo-relative folders, such as a
 * store configured elsewhere in the checkout) out of `git status` and `git ls-files`.
 */
export function ownPathspecs(extra: readonly string[] = []): string[] {
  return [
    ...OWN_FOLDERS.flatMap((f) => [`:(exclude,top,glob)**/${f}`, `:(exclude,top,glob)**/${f}/**`]),
    ...OWN_ROOT_FILES.map((f) => `:(exclude,top,literal)${f}`),
    ...extra.flatMap((f) => [`:(exclude,top,literal)${f}`, `:(exclude,top,glob)${globEscape(f)}/**`]),
  ];
}

/** Whether a repo- or package-relative POSIX path lies in one of devkit's own folders. */
export function isOwnPath(path: string): boolean {
  return path.split('/').some((segment) => (OWN_FOLDERS as readonly string[]).includes(segment));
}

/** A folder as a repo-relative POSIX path when it lies inside the checkout (and is not the checkout itself). */
export function insideCheckout(root: string, folder: string): string | null {
  const rel = relative(root, folder);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

function globEscape(path: string): string {
  return path.replace(/[*?[\]\\]/g, '\\$&');
}
