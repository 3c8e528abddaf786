/**
 * pnpm 11's specifier equality (lockfile/verification's `dependencySpecifiersAreEqual`): a
 * lockfile specifier matches the manifest's when the strings are equal or both name the same
 * git repository and ref, however spelled (`github:a/b`, `a/b`, `git://github.com/a/b.git`,
 * `git+https://github.com/a/b.git`, hosted `https://github.com/a/b`). Host names compare
 * case-insensitively; paths and refs do not; credentials, queries, ssh and plain http stay
 * distinct. pnpm 9 and 10 compare the strings only.
 */
export function dependencySpecifiersAreEqual(lockfile: string | undefined, manifest: string | undefined): boolean {
  if (lockfile === manifest) return true;
  if (lockfile == null || manifest == null) return false;
  const left = normalizeGitSpecifier(lockfile);
  if (left === undefined) return false;
  return left === normalizeGitSpecifier(manifest);
}

const KNOWN_HOSTS = new Set(['github.com', 'gitlab.com', 'bitbucket.org']);
const SHORTCUTS: Record<string, string> = {
  'github:': 'github.com',
  'gitlab:': 'gitlab.com',
  'bitbucket:': 'bitbucket.org',
};

function normalizeGitSpecifier(specifier: string): string | undefined {
  const hash = specifier.indexOf('#');
  const committish = hash === -1 ? undefined : specifier.slice(hash + 1);
  if (committish?.includes('#')) return undefined;
  const repository = hash === -1 ? specifier : specifier.slice(0, hash);
  return normalizeShortcut(repository, committish) ?? normalizeUrl(repository, committish);
}

function normalizeShortcut(repository: string, committish: string | undefined): string | undefined {
  for (const [prefix, host] of Object.entries(SHORTCUTS)) {
    if (repository.startsWith(prefix)) return normalizeParts(host, repository.slice(prefix.length), committish);
  }
  const isGithubShorthand =
    !repository.startsWith('.') &&
    !/\s/.test(repository) &&
    !repository.includes(':') &&
    !repository.includes('@') &&
    repository.split('/').length === 2;
  return isGithubShorthand ? normalizeParts('github.com', repository, committish) : undefined;
}

function normalizeUrl(repository: string, committish: string | undefined): string | undefined {
  const schemeEnd = repository.indexOf('://');
  if (schemeEnd === -1) return undefined;
  const scheme = repository.slice(0, schemeEnd).toLowerCase();
  if (scheme !== 'git' && scheme !== 'git+https' && scheme !== 'https') return undefined;
  const location = repository.slice(schemeEnd + 3);
  const slash = location.indexOf('/');
  if (slash === -1) return undefined;
  const host = location.slice(0, slash).toLowerCase();
  const path = location.slice(slash + 1);
  if (host === '' || host.includes('@') || host.includes('?') || /\s/.test(host)) return undefined;
  if (scheme === 'https' && !KNOWN_HOSTS.has(host) && !path.endsWith('.git')) return undefined;
  return normalizeParts(host, path, committish);
}

function normalizeParts(host: string, path: string, committish: string | undefined): string | undefined {
  if (
    path === '' ||
    path.startsWith('/') ||
    path.endsWith('/') ||
    path.includes('//') ||
    path.includes('@') ||
    path.includes('?') ||
    /\s/.test(path) ||
    path.split('/').some((segment) => segment === '')
  )
    return undefined;
  const repositoryPath = path.endsWith('.git') ? path.slice(0, -4) : path;
  if (repositoryPath === '' || repositoryPath.endsWith('/')) return undefined;
  return committish != null && committish !== ''
    ? `git+https://${host}/${repositoryPath}.git#${committish}`
    : `git+https://${host}/${repositoryPath}.git`;
}
