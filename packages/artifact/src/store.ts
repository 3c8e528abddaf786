import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { findingError, readFileIfExists, usageError, writeFileAtomic } from '@devkit/core';
import { digestHex, digestOf, type Digest } from './digest.js';
import { withStoreLock } from './lock.js';
import { MEDIA_TYPES } from './media-types.js';

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** The OCI image index kept as `index.json`: every root of the store. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPES.index;
  manifests: Descriptor[];
}

export type BlobState =
  | { digest: Digest; state: 'ok' }
  | { digest: Digest; state: 'missing' }
  | { digest: Digest; state: 'corrupt'; actual: Digest; size: number };

/** Writes one blob: bytes go to a temp file in the store, hashed on the way; `commit` publishes it. */
export interface BlobWriter {
  write(chunk: Buffer): Promise<void>;
  /** fsyncs and renames into `blobs/sha256/`; a blob already there is kept (dedup). */
  commit(): Promise<{ digest: Digest; size: number }>;
  abort(): Promise<void>;
}

const MAX_JSON_BLOB = 16 * 1024 * 1024;

/**
 * A local OCI Image Layout store (`oci-layout`, `index.json`, `blobs/sha256/`).
 * Blobs are written to `ingest/` and renamed into place once complete, so a blob present
 * under its digest is always whole; `index.json` is replaced atomically under a lock, so it
 * never points at a blob that is not there. Every read checks the digest.
 */
function badLayout(root: string, layout: string): Error {
  return usageError(
    'E_STORE_LAYOUT',
    `${join(root, 'oci-layout')} is not an OCI image layout 1.0.0 marker: ${layout.slice(0, 80)}`,
    {
      hint: `point artifacts.store in devkit.json at a devkit store folder, or remove ${root}`,
    },
  );
}

export class OciStore {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /**
   * Opens (creating if needed) the store at `root`. With `create: false` nothing is written —
   * a store that does not exist yet reads as empty (a plan made with --dry-run leaves no trace).
   */
  static async open(root: string, options: { create?: boolean } = {}): Promise<OciStore> {
    const store = new OciStore(root);
    if (options.create === false) {
      const layout = await readFileIfExists(join(root, 'oci-layout'));
      if (layout !== undefined && !/"imageLayoutVersion"\s*:\s*"1\.0\.0"/.test(layout)) throw badLayout(root, layout);
      return store;
    }
    await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(root, 'ingest'), { recursive: true });
    const layout = await readFileIfExists(join(root, 'oci-layout'));
    if (layout === undefined) await writeFileAtomic(join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    else if (!/"imageLayoutVersion"\s*:\s*"1\.0\.0"/.test(layout)) throw badLayout(root, layout);
    if ((await readFileIfExists(join(root, 'index.json'))) === undefined) {
      await withStoreLock(store.lockPath(), { what: `the store ${root}` }, async () => {
        if ((await readFileIfExists(join(root, 'index.json'))) === undefined) await store.writeIndex(emptyIndex());
      });
    }
    return store;
  }

  blobPath(digest: Digest): string {
    return join(this.root, 'blobs', 'sha256', digestHex(digest));
  }

  private lockPath(): string {
    return join(this.root, 'index.lock');
  }

  async hasBlob(digest: Digest): Promise<boolean> {
    try {
      await stat(this.blobPath(digest));
      return true;
    } catch {
      return false;
    }
  }

  async blobSize(digest: Digest): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch {
      return undefined;
    }
  }

  createBlobWriter(): Promise<BlobWriter> {
    return createBlobWriter(this);
  }

  /** Stores bytes already in memory (manifests, configs: small JSON). */
  async putBlob(data: Uint8Array): Promise<{ digest: Digest; size: number }> {
    const digest = digestOf(data);
    if (await this.hasBlob(digest)) return { digest, size: data.byteLength };
    const writer = await this.createBlobWriter();
    await writer.write(Buffer.from(data));
    return writer.commit();
  }

  async putJson(value: unknown): Promise<{ digest: Digest; size: number; bytes: Buffer }> {
    const bytes = Buffer.from(JSON.stringify(value));
    const { digest, size } = await this.putBlob(bytes);
    return { digest, size, bytes };
  }

  /** Reads a small blob whole, checking its digest. */
  async readBlob(digest: Digest): Promise<Buffer> {
    let bytes: Buffer;
    try {
      const st = await stat(this.blobPath(digest));
      if (st.size > MAX_JSON_BLOB)
        throw usageError('E_BLOB_TOO_LARGE', `blob ${digest} is ${st.size} bytes: too large to read whole`);
      bytes = await readFile(this.blobPath(digest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missingBlob(digest, this.root);
      throw error;
    }
    const actual = digestOf(bytes);
    if (actual !== digest) throw corruptBlob(digest, actual, this.root);
    return bytes;
  }

  async readJson<T>(digest: Digest): Promise<T> {
    const bytes = await this.readBlob(digest);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (error) {
      throw findingError('E_BLOB_NOT_JSON', `blob ${digest} in ${this.root} is not JSON`, { cause: error });
    }
  }

  /** A stream of a blob that fails, at its end, if the bytes do not match the digest. */
  openBlob(digest: Digest): Readable {
    const source = createReadStream(this.blobPath(digest), { highWaterMark: 1 << 20 });
    const hash = createHash('sha256');
    const root = this.root;
    const check = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
      flush(done) {
        const actual: Digest = `sha256:${hash.digest('hex')}`;
        done(actual === digest ? null : corruptBlob(digest, actual, root));
      },
    });
    source.on('error', (error: NodeJS.ErrnoException) =>
      check.destroy(error.code === 'ENOENT' ? missingBlob(digest, root) : error),
    );
    return source.pipe(check);
  }

  /** Hashes a blob on disk and says whether it is there and whole. */
  async verifyBlob(digest: Digest): Promise<BlobState> {
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of createReadStream(this.blobPath(digest), { highWaterMark: 1 << 20 })) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { digest, state: 'missing' };
      throw error;
    }
    const actual: Digest = `sha256:${hash.digest('hex')}`;
    return actual === digest ? { digest, state: 'ok' } : { digest, state: 'corrupt', actual, size };
  }

  async readIndex(): Promise<ImageIndex> {
    const text = await readFileIfExists(join(this.root, 'index.json'));
    if (text === undefined) return emptyIndex();
    try {
      const parsed = JSON.parse(text) as ImageIndex;
      if (!Array.isArray(parsed.manifests)) throw new Error('no "manifests" array');
      return parsed;
    } catch (error) {
      throw findingError(
        'E_STORE_INDEX',
        `${join(this.root, 'index.json')} is not a valid OCI index: ${(error as Error).message}`,
        {
          hint: `restore it from a backup or remove ${this.root} and build again`,
        },
      );
    }
  }

  /**
   * Changes `index.json` under the store lock: read, change, write atomically. The mutator
   * returns the new index, or `undefined` to leave it as it is.
   */
  async updateIndex<T>(
    mutate: (index: ImageIndex) => Promise<{ index?: ImageIndex; result: T }> | { index?: ImageIndex; result: T },
  ): Promise<T> {
    return withStoreLock(this.lockPath(), { what: `the store ${this.root}` }, async () => {
      const current = await this.readIndex();
      const { index, result } = await mutate(current);
      if (index) await this.writeIndex(index);
      return result;
    });
  }

  /** Runs `fn` holding the store lock (for multi-step changes that must not interleave). */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withStoreLock(this.lockPath(), { what: `the store ${this.root}` }, fn);
  }

  /** Writes index.json; the caller holds the lock. */
  async writeIndex(index: ImageIndex): Promise<void> {
    await writeFileAtomic(join(this.root, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  }

  async listBlobs(): Promise<Digest[]> {
    const names = await readdir(join(this.root, 'blobs', 'sha256'));
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}` as Digest);
  }

  /** Temp files of writes that never finished (a killed build); removed by gc. */
  async listIngest(): Promise<string[]> {
    try {
      return (await readdir(join(this.root, 'ingest'))).map((n) => join(this.root, 'ingest', n));
    } catch {
      return [];
    }
  }
}

export function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [] };
}

export function corruptBlob(digest: Digest, actual: Digest, root: string) {
  return findingError('E_BLOB_CORRUPT', `blob ${digest} in ${root} is corrupt: its bytes hash to ${actual}`, {
    hint: 'rebuild (`devkit build`) or pull the artifact again; `devkit artifact verify` lists every damaged blob',
    details: { digest, actual },
  });
}

export function missingBlob(digest: Digest, root: string) {
  return findingError('E_BLOB_MISSING', `blob ${digest} is missing from ${root}`, {
    hint: 'rebuild (`devkit build`) or pull the artifact again',
    details: { digest },
  });
}

async function createBlobWriter(store: OciStore): Promise<BlobWriter> {
  const tmp = join(store.root, 'ingest', `${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle: FileHandle = await open(tmp, 'wx', 0o644);
  const hash = createHash('sha256');
  let size = 0;
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await handle.close();
    }
  };
  return {
    async write(chunk) {
      hash.update(chunk);
      size += chunk.length;
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
    },
    async commit() {
      const digest: Digest = `sha256:${hash.digest('hex')}`;
      await handle.sync();
      await close();
      const final = store.blobPath(digest);
      try {
        // link() fails if the blob exists: the first complete copy wins and is never replaced.
        await link(tmp, final);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          await rm(tmp, { force: true });
          throw error;
        }
        // A damaged copy already there is healed by the fresh one.
        if ((await store.verifyBlob(digest)).state !== 'ok') await rename(tmp, final);
      }
      await rm(tmp, { force: true });
      const dir = await open(join(store.root, 'blobs', 'sha256'), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      return { digest, size };
    },
    async abort() {
      await close();
      await rm(tmp, { force: true });
    },
  };
}
