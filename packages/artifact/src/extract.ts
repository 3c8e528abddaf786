import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, symlinkSync, linkSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { findingError, usageError } from '@devkit/core';
import type { ReadEntry } from 'tar';
import type { Digest } from './digest.js';
import { linkStaysInside } from './layer-entry.js';
import { readLayer } from './layer-reader.js';
import type { OciStore } from './store.js';

export interface ExtractLayer {
  digest: Digest;
  /** Expected diff_id (from the manifest annotation), checked after reading. */
  diffId?: string | undefined;
  part: string;
}

/**
 * The rules every entry must pass before anything is written: a plain relative name with no
 * `..`; only files, folders, symbolic and hard links; links that stay inside; no entry
 * reached through a link; no setuid, setgid or sticky bits; no name twice.
 */
export class ExtractGuard {
  private readonly links = new Set<string>();
  private readonly files = new Set<string>();
  private readonly seen = new Set<string>();

  /** Returns the entry's clean path, or throws `E_EXTRACT_UNSAFE` naming it. */
  check(
    entry: { path: string; type: string; mode?: number | undefined; linkpath?: string | undefined },
    layer: string,
  ): string {
    const refuse = (why: string) =>
      findingError('E_EXTRACT_UNSAFE', `refusing to extract layer ${layer}: entry "${entry.path}" ${why}`, {
        hint: 'this archive was not made by devkit or was tampered with; do not use it',
        details: { entry: entry.path, layer },
      });
    const raw = entry.path.replace(/\/+$/, '');
    if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw refuse('has an absolute path');
    if (raw.includes('\\') || raw.includes('\0')) throw refuse('has a backslash or NUL in its name');
    const segments = raw.split('/');
    if (raw === '' || segments.some((s) => s === '' || s === '.' || s === '..'))
      throw refuse('has an empty, "." or ".." path segment');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (this.links.has(parent)) throw refuse(`goes through the link "${parent}"`);
      if (this.files.has(parent)) throw refuse(`sits under the file "${parent}"`);
    }
    if (((entry.mode ?? 0) & 0o7000) !== 0)
      throw refuse(`has setuid/setgid/sticky mode ${(entry.mode ?? 0).toString(8)}`);
    if (this.seen.has(raw) && entry.type !== 'Directory') throw refuse('appears twice');
    switch (entry.type) {
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        this.files.add(raw);
        break;
      case 'Directory':
        if (this.links.has(raw) || this.files.has(raw)) throw refuse('replaces a link or file with a folder');
        break;
      case 'SymbolicLink':
        if (!linkStaysInside(raw, entry.linkpath ?? ''))
          throw refuse(`is a link to "${entry.linkpath}", outside the target folder`);
        this.links.add(raw);
        break;
      case 'Link': {
        const target = posix.normalize(entry.linkpath ?? '');
        if (!this.files.has(target))
          throw refuse(`is a hard link to "${entry.linkpath}", which is not a file extracted before it`);
        this.files.add(raw);
        break;
      }
      default:
        throw refuse(`is a ${entry.type} entry: only files, folders and links are extracted`);
    }
    this.seen.add(raw);
    return raw;
  }
}

/**
 * Extracts layers, in order, into `target` — which must not exist or be empty. Everything is
 * written to a sibling temp folder and renamed into place only when every entry passed the
 * guard and every digest (blob and diff_id) matched: a refused or corrupt artifact leaves
 * nothing behind.
 */
export async function extractLayers(
  store: OciStore,
  layers: readonly ExtractLayer[],
  target: string,
): Promise<{ files: number; dirs: number; links: number }> {
  const dest = resolve(target);
  try {
    const existing = await readdir(dest);
    if (existing.length > 0)
      throw usageError('E_EXTRACT_TARGET', `${dest} is not empty`, { hint: 'extract into a new or empty folder' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.extract-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp, { mode: 0o755 });
  const counts = { files: 0, dirs: 0, links: 0 };
  const guard = new ExtractGuard();
  try {
    for (const layer of layers) {
      const { diffId } = await readLayer(store, layer.digest, (entry: ReadEntry) => {
        const rel = guard.check(entry, layer.part);
        const abs = join(tmp, rel);
        mkdirSync(dirname(abs), { recursive: true, mode: 0o755 });
        switch (entry.type) {
          case 'Directory':
            mkdirSync(abs, { recursive: true, mode: 0o755 });
            counts.dirs++;
            entry.resume();
            return;
          case 'SymbolicLink':
            symlinkSync(entry.linkpath!, abs);
            counts.links++;
            entry.resume();
            return;
          case 'Link':
            linkSync(join(tmp, posix.normalize(entry.linkpath!)), abs);
            counts.files++;
            entry.resume();
            return;
          default: {
            counts.files++;
            const mode = (entry.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
            // 'wx': never follow or replace something already there.
            return pipeline(entry as unknown as NodeJS.ReadableStream, createWriteStream(abs, { flags: 'wx', mode }));
          }
        }
      });
      if (layer.diffId && layer.diffId !== diffId) {
        throw findingError(
          'E_BLOB_CORRUPT',
          `layer ${layer.part} (${layer.digest}) unpacks to a tar with digest ${diffId}, not its recorded diff_id ${layer.diffId}`,
          {
            hint: 'the store is damaged: run `devkit artifact verify` and rebuild or pull the artifact',
          },
        );
      }
    }
    await rmdir(dest).catch(() => undefined);
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return counts;
}
