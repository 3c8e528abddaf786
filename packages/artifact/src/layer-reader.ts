import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import type { Digest } from './digest.js';
import type { OciStore } from './store.js';

/** An entry of a layer as read back: what `--check-reproducible` and the tests compare. */
export interface LayerListing {
  path: string;
  type: string;
  mode: number;
  size: number;
  uid: number;
  gid: number;
  mtime: number;
  linkpath: string;
  /** Content digest of files. */
  digest: string | null;
}

/**
 * Streams a layer blob (digest checked at the end), gunzips it, hashes the tar (diff_id)
 * and hands every entry to `onEntry`, which must consume or drain it.
 */
export async function readLayer(
  store: OciStore,
  digest: Digest,
  onEntry: (entry: ReadEntry) => void | Promise<void>,
): Promise<{ diffId: Digest }> {
  const diff = createHash('sha256');
  // A layer with no entries (an app without dependencies has an empty deps layer) is a tar of
  // only its two zero end-of-archive blocks, which tar's strict parser calls an unrecognized
  // archive; every byte being zero is what tells that archive apart from a broken one.
  let onlyZeros = true;
  let tarBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      diff.update(chunk);
      tarBytes += chunk.length;
      if (onlyZeros && chunk.some((byte) => byte !== 0)) onlyZeros = false;
      done(null, chunk);
    },
  });
  const pending: Promise<void>[] = [];
  let failure: unknown;
  const parser = new Parser({ strict: true });
  parser.on('entry', (entry: ReadEntry) => {
    try {
      const result = onEntry(entry);
      if (result) pending.push(result.catch((error: unknown) => void (failure ??= error)));
    } catch (error) {
      failure ??= error;
      entry.resume();
      parser.abort(error as Error);
    }
  });
  try {
    await pipeline(store.openBlob(digest) as Readable, createGunzip(), tap, parser as unknown as NodeJS.WritableStream);
  } catch (error) {
    const empty = onlyZeros && tarBytes >= 1024 && (error as { code?: unknown }).code === 'TAR_BAD_ARCHIVE';
    if (failure || !empty) throw failure ?? error;
  }
  await Promise.all(pending);
  if (failure) throw failure;
  return { diffId: `sha256:${diff.digest('hex')}` };
}

/** Every entry of a layer with the digest of its content. */
export async function listLayer(store: OciStore, digest: Digest): Promise<{ diffId: Digest; entries: LayerListing[] }> {
  const entries: LayerListing[] = [];
  const { diffId } = await readLayer(store, digest, (entry) => {
    const hash = entry.type === 'File' || entry.type === 'OldFile' ? createHash('sha256') : undefined;
    const item: LayerListing = {
      path: entry.path,
      type: entry.type,
      mode: entry.mode ?? 0,
      size: entry.size ?? 0,
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: entry.mtime ? Math.floor(entry.mtime.getTime() / 1000) : 0,
      linkpath: entry.linkpath ?? '',
      digest: null,
    };
    entries.push(item);
    return new Promise<void>((resolve, reject) => {
      entry.on('data', (chunk: Buffer) => hash?.update(chunk));
      entry.on('end', () => {
        if (hash) item.digest = `sha256:${hash.digest('hex')}`;
        resolve();
      });
      entry.on('error', reject);
    });
  });
  return { diffId, entries };
}

/** Names the entries that differ between two listings (missing on one side, or different). */
export function diffListings(
  a: readonly LayerListing[],
  b: readonly LayerListing[],
): Array<{ path: string; a: LayerListing | null; b: LayerListing | null }> {
  const key = (e: LayerListing) =>
    JSON.stringify([e.type, e.mode, e.size, e.uid, e.gid, e.mtime, e.linkpath, e.digest]);
  const mapA = new Map(a.map((e) => [e.path, e]));
  const mapB = new Map(b.map((e) => [e.path, e]));
  const out: Array<{ path: string; a: LayerListing | null; b: LayerListing | null }> = [];
  for (const path of [...new Set([...mapA.keys(), ...mapB.keys()])].sort()) {
    const x = mapA.get(path);
    const y = mapB.get(path);
    if (!x || !y || key(x) !== key(y)) out.push({ path, a: x ?? null, b: y ?? null });
  }
  // Same entries in a different order also changes the bytes.
  if (out.length === 0 && a.map((e) => e.path).join('\0') !== b.map((e) => e.path).join('\0')) {
    out.push({ path: '(entry order)', a: null, b: null });
  }
  return out;
}
