import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { machineError } from './errors.js';
import type { PublishedVersion } from './npm-registry.js';
import { isProcessAlive } from './process.js';
import { redactUrlCredentials } from './redact.js';

/** Hashes what passes through, with the algorithm of an SRI `integrity` (sha512 for npm). */
function hashingStream(algorithm: string): { stream: Transform; digest: () => string; bytes: () => number } {
  const hash = createHash(algorithm);
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest('base64'), bytes: () => bytes };
}

/** What arrived is not what the registry's `dist.integrity` names: the caller may fetch it again. */
export class IntegrityMismatch extends Error {}

export interface DownloadOptions {
  signal?: AbortSignal | undefined;
  /** The Authorization header for the tarball's URL, when the registry wants one. */
  authorization?: string | undefined;
  /** The command that tries again, for messages (default: devkit bootstrap). */
  rerun?: string | undefined;
  /**
   * Which entries to extract, by their path inside the package (`package/` stripped): the others
   * are never written. Default: all of them.
   */
  keep?: ((path: string) => boolean) | undefined;
}

/**
 * Downloads `published`'s tarball, hashing it while it streams to disk, and throws
 * {@link IntegrityMismatch} when what arrived is not what the packument's `dist.integrity`
 * names (a truncated or altered download); only then extracts it into `temp` (which must exist).
 * Extraction refuses absolute paths, `..` and links (tar's own rules plus a filter), keeps only
 * files and folders, drops setuid and setgid bits and owners.
 */
export async function downloadVerifiedTarball(
  temp: string,
  published: PublishedVersion,
  options: DownloadOptions,
): Promise<void> {
  const rerun = options.rerun ?? 'devkit bootstrap';
  const integrity = published.dist.integrity;
  const [algorithm = '', expected = ''] = integrity?.split('-', 2) ?? [];
  if (!integrity || !['sha512', 'sha384', 'sha256'].includes(algorithm))
    throw machineError(
      'E_TOOLCHAIN_INTEGRITY',
      `${redactUrlCredentials(published.dist.tarball)} has no sha512 integrity in the registry's document: devkit does not install what it cannot check`,
      { hint: 'use a registry that serves dist.integrity (any npm registry from the last years does)' },
    );
  let response: Response;
  try {
    response = await fetch(published.dist.tarball, {
      headers: options.authorization ? { authorization: options.authorization } : {},
      signal: options.signal ?? AbortSignal.timeout(10 * 60_000),
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw machineError(
      'E_REGISTRY_UNREACHABLE',
      `downloading ${redactUrlCredentials(published.dist.tarball)} failed: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`,
      { cause: error, hint: `check the network and run \`${rerun}\` again` },
    );
  }
  if (!response.ok || !response.body)
    throw machineError(
      'E_REGISTRY_UNREACHABLE',
      `downloading ${redactUrlCredentials(published.dist.tarball)} failed: ${response.status} ${response.statusText}`,
      { hint: `check the registry and its credentials in .npmrc, then run \`${rerun}\` again` },
    );
  // The tarball lands in a file beside `temp` and is extracted only once its digest matches: a
  // broken or altered download is never unpacked (and no extraction is left running behind it).
  const tarball = `${temp}.tgz`;
  const hashing = hashingStream(algorithm);
  try {
    try {
      await pipeline(
        Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
        hashing.stream,
        createWriteStream(tarball),
      );
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new IntegrityMismatch(
        `the download broke off after ${hashing.bytes()} bytes (${(error as Error).message})`,
        {
          cause: error,
        },
      );
    }
    const actual = hashing.digest();
    if (actual !== expected)
      throw new IntegrityMismatch(`got ${hashing.bytes()} bytes hashing to ${algorithm}-${actual}, not ${integrity}`);
    // tar loads only when something was downloaded.
    const { x } = await import('tar');
    await x({
      file: tarball,
      cwd: temp,
      strip: 1,
      preserveOwner: false,
      filter: (path, entry) => {
        const type = 'type' in entry ? entry.type : undefined;
        if (type !== 'File' && type !== 'OldFile' && type !== 'ContiguousFile' && type !== 'Directory') return false;
        if (options.keep && !options.keep(path.replace(/^[^/]+\/?/, ''))) return false;
        if ('mode' in entry && typeof entry.mode === 'number') entry.mode &= 0o777;
        return true;
      },
    });
  } finally {
    await rm(tarball, { force: true });
  }
}

/**
 * Removes the temp folders and files of `version` in `dir` that a killed download left
 * (`<version>.tmp-<pid>-…` whose process is gone). Names without a pid (tools/bootstrap.sh's
 * mktemp ones) are left to their owner.
 */
export async function removeAbandonedTemps(dir: string, version: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^(.+)\.tmp-(\d+)-/.exec(name);
    if (!pid || pid[1] !== version || Number(pid[2]) === process.pid || isProcessAlive(Number(pid[2]))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
  }
}
