import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { DevkitError, machineError, redactUrlCredentials, withFileLock, type Reporter } from '@devkit/core';
import { downloadVerifiedTarball, IntegrityMismatch, removeAbandonedTemps } from '@devkit/core/npm';
import { hostPlatform, readCached, RECORD_FILE, toolPackage, versionDir, type ToolchainRecord } from './cache.js';
import type { ToolName } from './pins.js';
import { fetchPackument, type NpmRegistry, type Packument, type PublishedVersion } from './registry.js';

/** A complete version folder in the cache. */
export interface CachedTool {
  tool: ToolName;
  version: string;
  dir: string;
  record: ToolchainRecord;
}

export interface ProvisionOptions {
  cacheDir: string;
  registry: NpmRegistry;
  reporter?: Reporter | undefined;
  signal?: AbortSignal | undefined;
  /** How long to wait for another process fetching the same version (default 10 min). */
  lockTimeoutMs?: number | undefined;
}

/** How many times a download that does not match its integrity is fetched again before giving up. */
const DOWNLOAD_ATTEMPTS = 3;

/** `node 22.23.5`, `pnpm 12.23.0 (@pnpm/exe.linux-x64)`: how messages name what is provisioned. */
function label(tool: ToolName, version: string, name: string): string {
  return name === tool ? `${tool} ${version}` : `${tool} ${version} (${name})`;
}

/**
 * The published versions closest to `version`: the nearest below and above it, and the newest
 * of its major, for the message that says a pinned version does not exist.
 */
export function nearestVersions(version: string, published: Iterable<string>): string[] {
  const sorted = [...published].filter((v) => semver.valid(v) && !semver.prerelease(v)).sort(semver.compare);
  const wanted = semver.coerce(version)?.version ?? version;
  const below = sorted.filter((v) => semver.lt(v, wanted)).pop();
  const above = sorted.find((v) => semver.gt(v, wanted));
  const major = semver.coerce(version)?.major;
  const newestOfMajor = sorted.filter((v) => semver.major(v) === major).pop();
  return [...new Set([below, above, newestOfMajor].filter((v): v is string => v !== undefined))].sort(semver.compare);
}

/** The published version document of `version`, or exit 3 naming the nearest published ones. */
export function publishedVersion(
  packument: Packument,
  tool: ToolName,
  version: string,
  pinnedBy: string,
): PublishedVersion {
  const found = packument.versions[version];
  if (found) return found;
  const nearest = nearestVersions(version, Object.keys(packument.versions));
  throw machineError(
    'E_TOOLCHAIN_VERSION_UNKNOWN',
    `${pinnedBy} pins ${tool} ${version}, which is not published (package ${packument.name} on ${packument.registry})${nearest.length ? `; nearest published: ${nearest.join(', ')}` : ''}`,
    {
      hint: nearest.length
        ? `pin a published version in ${pinnedBy.split(' ')[0]}, e.g. ${nearest[nearest.length - 1]}`
        : `check the version in ${pinnedBy.split(' ')[0]}`,
      details: { tool, version, package: packument.name, nearest },
    },
  );
}

/** A digest the pin itself names (packageManager's `pnpm@10.34.9+sha512.<hex>`), and where. */
export interface ExpectedDigest {
  /** `sha512.<hex>`, as corepack writes it. */
  hash: string;
  pinnedBy: string;
}

/** The hex digest an SRI integrity (`sha512-<base64>`) holds, as `sha512.<hex>`. */
export function integrityAsHash(integrity: string | undefined): string | undefined {
  const match = /^(sha\d+)-(.+)$/.exec(integrity ?? '');
  return match ? `${match[1]}.${Buffer.from(match[2]!, 'base64').toString('hex')}` : undefined;
}

/** Exit 3 when the tarball's digest is not the one the pin names. */
function checkExpected(expected: ExpectedDigest | undefined, integrity: string | undefined, what: string): void {
  if (!expected || !/^sha\d+\.[0-9a-f]+$/i.test(expected.hash)) return;
  const actual = integrityAsHash(integrity);
  if (actual === undefined || !actual.startsWith(`${expected.hash.split('.')[0]}.`)) return; // another algorithm: nothing to compare
  if (actual.toLowerCase() === expected.hash.toLowerCase()) return;
  throw machineError(
    'E_TOOLCHAIN_INTEGRITY',
    `${what} is not the build ${expected.pinnedBy} names: its digest is ${actual.slice(0, 24)}…, the pin says ${expected.hash.slice(0, 24)}…`,
    {
      hint: `check the registry in .npmrc (a mirror serving another build), or correct the hash in ${expected.pinnedBy}`,
    },
  );
}

/**
 * Makes `tool@version` complete in the cache and returns its folder: used as it is when
 * already there (no network), otherwise downloaded from the registry, checked against the
 * packument's `dist.integrity` while it streams, extracted into a temp folder beside its place
 * and renamed into place with its `.devkit-toolchain.json`. A download that does not match is
 * thrown away and fetched again; it is never used. A file lock per version makes concurrent
 * runs wait for each other rather than fetch twice; a process that fills the same cache without
 * the lock (tools/bootstrap.sh) is safe too, since whoever renames first wins and the other
 * keeps that folder.
 */
export async function provisionVersion(
  tool: ToolName,
  version: string,
  pinnedBy: string,
  options: ProvisionOptions,
  packument?: Packument,
  expected?: ExpectedDigest,
): Promise<CachedTool> {
  const dir = versionDir(options.cacheDir, tool, version);
  const cached = readCached(options.cacheDir, tool, version);
  if (cached) {
    checkExpected(expected, cached.integrity, `${tool} ${version} in ${dir}`);
    return { tool, version, dir, record: cached };
  }
  const name = toolPackage(tool, version);
  const foreign = await readFile(join(dir, RECORD_FILE), 'utf8')
    .then((text) => (JSON.parse(text) as Partial<ToolchainRecord>).platform)
    .catch(() => undefined);
  if (foreign !== undefined && foreign !== hostPlatform())
    throw machineError(
      'E_TOOLCHAIN_PLATFORM',
      `${dir} holds ${tool} ${version} for ${foreign}, not for this ${hostPlatform()} host (a cache shared between machines)`,
      { hint: 'give each kind of machine its own cache: export DEVKIT_CACHE_DIR=<a folder of this host>' },
    );
  const lock = join(options.cacheDir, tool, `.${version}.lock`);
  return withFileLock(
    lock,
    {
      timeoutMs: options.lockTimeoutMs ?? 10 * 60_000,
      timeoutError: (holder) =>
        machineError(
          'E_TOOLCHAIN_LOCKED',
          `another devkit (pid ${holder.pid ?? '?'}${holder.host ? ` on ${holder.host}` : ''}) has been fetching ${label(tool, version, name)} into ${dir} for too long`,
          { hint: `wait for it to finish, or stop it and remove ${lock}` },
        ),
    },
    async () => {
      const done = readCached(options.cacheDir, tool, version);
      if (done) return { tool, version, dir, record: done };
      await removeAbandonedTemps(join(options.cacheDir, tool), version);
      const document =
        packument ??
        (await fetchPackument(options.registry, name, { signal: options.signal, what: label(tool, version, name) }));
      const published = publishedVersion(document, tool, version, pinnedBy);
      checkExpected(expected, published.dist.integrity, `${label(tool, version, name)} on ${document.registry}`);
      const authorization = options.registry.authFor(published.dist.tarball);
      let lastProblem = '';
      for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
        options.reporter?.emit({
          type: 'log',
          level: 'info',
          message: `fetching ${label(tool, version, name)} from ${document.registry}${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
        });
        const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
        await mkdir(temp, { recursive: true });
        try {
          await downloadVerifiedTarball(temp, published, { signal: options.signal, authorization });
          const record: ToolchainRecord = {
            name,
            version,
            integrity: published.dist.integrity!,
            platform: hostPlatform(),
          };
          await writeFile(join(temp, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
          try {
            await rename(temp, dir);
          } catch (error) {
            // Another process without our lock (tools/bootstrap.sh) renamed its complete copy first.
            const theirs = readCached(options.cacheDir, tool, version);
            if (!theirs) throw error;
            return { tool, version, dir, record: theirs };
          }
          return { tool, version, dir, record };
        } catch (error) {
          if (!(error instanceof IntegrityMismatch)) throw error;
          lastProblem = error.message;
          options.reporter?.emit({
            type: 'log',
            level: 'warn',
            message: `${label(tool, version, name)}: ${error.message}; thrown away`,
          });
        } finally {
          await rm(temp, { recursive: true, force: true });
        }
      }
      throw new DevkitError(
        'E_TOOLCHAIN_INTEGRITY',
        3,
        `${label(tool, version, name)} from ${redactUrlCredentials(published.dist.tarball)} did not match its integrity in ${DOWNLOAD_ATTEMPTS} downloads (last: ${lastProblem}); nothing was kept`,
        {
          hint: 'a proxy or mirror is serving a broken copy: check the registry in .npmrc, then run `devkit bootstrap` again',
        },
      );
    },
  );
}
