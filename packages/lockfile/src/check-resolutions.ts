import { redactUrlCredentials } from '@devkit/core';
import type { LockfileFinding, LockfilePackage } from './types.js';

const FIX_RELOCK = 'pnpm install';

/** A registry URL as compared: scheme and host lower-cased, default port dropped, one trailing slash. */
const normalized = new Map<string, string>();
export function normalizeRegistry(url: string): string {
  const known = normalized.get(url);
  if (known !== undefined) return known;
  const result = normalizeRegistryUncached(url);
  normalized.set(url, result);
  return result;
}

function normalizeRegistryUncached(url: string): string {
  let href = url;
  try {
    href = new URL(url).href;
  } catch {
    // not a URL: compared as written
  }
  return href.endsWith('/') ? href : `${href}/`;
}

/** A written tarball URL normalised the same way (derived ones already are). */
function normalizeUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** The registry pnpm uses for a package: its scope's registry, else the default. */
export function registryFor(name: string, registries: Record<string, string>): string {
  if (name.startsWith('@')) {
    const scope = name.slice(0, name.indexOf('/'));
    const scoped = registries[scope];
    if (scoped) return scoped;
  }
  return registries.default ?? 'https://registry.npmjs.org/';
}

/** The tarball URL pnpm derives for a registry package (v9 lockfiles store only the integrity). */
export function registryTarballUrl(registry: string, name: string, version: string): string {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${normalizeRegistry(registry)}${name}/-/${base}-${version}.tgz`;
}

const GIT_HOSTED = [
  /^https:\/\/codeload\.github\.com\//,
  /^https:\/\/bitbucket\.org\/[^/]+\/[^/]+\/get\//,
  /^https:\/\/gitlab\.com\/[^/]+\/[^/]+\/-?\/?repository\/archive\.tar\.gz/,
];
const FULL_COMMIT = /^[0-9a-f]{40}$/;

function isGitHostedTarball(url: string, gitHosted: unknown): boolean {
  return gitHosted === true || GIT_HOSTED.some((pattern) => pattern.test(url));
}

/** The commit a git-hosted tarball URL is pinned to, if the URL names a full one. */
function pinnedCommit(url: string): string | undefined {
  const github = /\/tar\.gz\/([0-9a-f]{40})$/.exec(url);
  if (github) return github[1];
  const bitbucket = /\/get\/([0-9a-f]{40})\.tar\.gz$/.exec(url);
  if (bitbucket) return bitbucket[1];
  const gitlab = /[?&](?:ref|sha)=([0-9a-f]{40})(?:&|$)/.exec(url);
  return gitlab?.[1];
}

function allowedPrefix(url: string, allowed: readonly string[]): string | undefined {
  return allowed.find((registry) => url.startsWith(registry));
}

/**
 * Integrity and provenance of every resolved package: each has an integrity hash, git and
 * tarball dependencies are pinned, and every download URL (written or derived the way pnpm
 * derives it) is https and under an allowed registry, at the path its name and version give.
 */
export function checkResolutions(
  packages: readonly LockfilePackage[],
  registries: Record<string, string>,
  allowedRegistries: readonly string[],
): LockfileFinding[] {
  const allowed = allowedRegistries.map(normalizeRegistry);
  const findings: LockfileFinding[] = [];
  const registryVerdicts = new Map<string, boolean>();
  const push = (pkg: LockfilePackage, finding: Omit<LockfileFinding, 'package' | 'line' | 'dependency'>) =>
    findings.push({ package: pkg.key, dependency: pkg.name, line: pkg.line || undefined, ...finding });

  for (const pkg of packages) {
    const resolution = pkg.resolution;
    if (!resolution) {
      push(pkg, {
        code: 'INTEGRITY_MISSING',
        kind: 'integrity',
        lockfile: null,
        message: `${pkg.key} has no resolution in pnpm-lock.yaml`,
        fix: FIX_RELOCK,
      });
      continue;
    }
    const type = resolution.type;
    if (type === 'directory') continue;
    if (type === 'git') {
      const commit = typeof resolution.commit === 'string' ? resolution.commit : '';
      if (!FULL_COMMIT.test(commit)) {
        push(pkg, {
          code: 'GIT_UNPINNED',
          kind: 'integrity',
          lockfile: commit || null,
          message: `${pkg.key} comes from git (${String(resolution.repo)}) without a full commit hash`,
          fix: `pin it to a commit in package.json (e.g. "${String(resolution.repo)}#<40-hex commit>"), then \`${FIX_RELOCK}\``,
        });
      }
      continue;
    }
    const tarball = typeof resolution.tarball === 'string' ? resolution.tarball : undefined;
    if (tarball?.startsWith('file:')) {
      if (typeof resolution.integrity !== 'string' || resolution.integrity === '') {
        push(pkg, {
          code: 'INTEGRITY_MISSING',
          kind: 'integrity',
          lockfile: null,
          message: `${pkg.key} (local tarball ${tarball}) has no integrity hash`,
          fix: FIX_RELOCK,
        });
      }
      continue;
    }
    if (
      type === undefined &&
      tarball === undefined &&
      resolution.url === undefined &&
      typeof resolution.integrity === 'string' &&
      resolution.integrity !== ''
    ) {
      // the common case, a registry package: judged once per registry, its URL built only for a finding
      const registry = normalizeRegistry(registryFor(pkg.name, registries));
      let fine = registryVerdicts.get(registry);
      if (fine === undefined) {
        fine = registry.startsWith('https://') && allowed.some((prefix) => registry.startsWith(prefix));
        registryVerdicts.set(registry, fine);
      }
      if (fine) continue;
    }
    if (type !== undefined && tarball === undefined) {
      // other resolution types (a runtime binary): the URL it carries is held to the same rules below
      if (typeof resolution.url !== 'string') continue;
    }
    const written = tarball ?? (typeof resolution.url === 'string' ? resolution.url : undefined);
    const url =
      written !== undefined
        ? normalizeUrl(written)
        : registryTarballUrl(registryFor(pkg.name, registries), pkg.name, pkg.version);
    const derived = tarball === undefined && resolution.url === undefined;
    const gitHosted = tarball !== undefined && isGitHostedTarball(tarball, resolution.gitHosted);

    if (typeof resolution.integrity !== 'string' || resolution.integrity === '') {
      if (gitHosted) {
        if (pinnedCommit(tarball) === undefined) {
          push(pkg, {
            code: 'GIT_UNPINNED',
            kind: 'integrity',
            lockfile: tarball,
            message: `${pkg.key} is a git-hosted tarball (${tarball}) pinned neither by a full commit nor by an integrity hash`,
            fix: `pin it to a commit in package.json, then \`${FIX_RELOCK}\``,
          });
        }
      } else {
        push(pkg, {
          code: tarball === undefined ? 'INTEGRITY_MISSING' : 'TARBALL_UNPINNED',
          kind: 'integrity',
          lockfile: tarball ?? null,
          message:
            tarball === undefined
              ? `${pkg.key} has no integrity hash in pnpm-lock.yaml`
              : `${pkg.key} is downloaded from ${tarball} without an integrity hash`,
          fix: FIX_RELOCK,
        });
      }
    }

    if (!url.startsWith('https://')) {
      push(pkg, {
        code: 'INSECURE_URL',
        kind: 'registry',
        lockfile: url,
        message: `${pkg.key} is downloaded over ${url.split(':')[0]}, not https: ${url}${derived ? ' (the registry configured for it)' : ''}`,
        fix: derived
          ? 'set an https registry in .npmrc, then `pnpm install`'
          : `depend on an https URL in package.json, then \`${FIX_RELOCK}\``,
      });
      continue;
    }
    if (gitHosted) continue;
    const registry = allowedPrefix(url, allowed);
    if (registry === undefined) {
      push(pkg, {
        code: 'REGISTRY_NOT_ALLOWED',
        kind: 'registry',
        lockfile: url,
        manifest: allowed,
        message: `${pkg.key} is downloaded from ${url}, outside the allowed registries (${allowed.join(', ')})`,
        fix: derived
          ? `point .npmrc at an allowed registry, or add the registry to lockfile.registries in devkit.json`
          : `install ${pkg.name} from an allowed registry (\`pnpm install\` after fixing package.json), or allow the registry in devkit.json lockfile.registries`,
      });
      continue;
    }
    if (!derived && resolution.type === undefined) {
      const expected = registryTarballUrl(registry, pkg.name, pkg.version);
      const path = url.slice(registry.length).split(/[?#]/)[0] ?? '';
      if (url !== expected && !path.startsWith(`${pkg.name}/-/`)) {
        push(pkg, {
          code: 'TARBALL_NAME_MISMATCH',
          kind: 'registry',
          lockfile: url,
          manifest: expected,
          message: `${pkg.key} is downloaded from ${url}, which is not the tarball of ${pkg.name} (expected ${expected})`,
          fix: `check where ${pkg.name} really comes from, then \`${FIX_RELOCK}\``,
        });
      }
    }
  }
  // registry URLs may carry credentials (https://user:token@host/): never print them
  return findings.map((finding) => ({
    ...finding,
    message: redactUrlCredentials(finding.message),
    ...(typeof finding.lockfile === 'string' ? { lockfile: redactUrlCredentials(finding.lockfile) } : {}),
    ...(typeof finding.manifest === 'string' ? { manifest: redactUrlCredentials(finding.manifest) } : {}),
    ...(Array.isArray(finding.manifest)
      ? { manifest: finding.manifest.map((url) => redactUrlCredentials(String(url))) }
      : {}),
    fix: redactUrlCredentials(finding.fix),
  }));
}
