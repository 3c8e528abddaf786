import { createHash } from 'node:crypto';
import { createBlockGzip, compressionLabel } from './block-gzip.js';
import type { Digest } from './digest.js';
import { normalizeEntries, type LayerEntry } from './layer-entry.js';
import type { OciStore } from './store.js';
import { DEFAULT_MTIME_SECONDS, tarChunks } from './tar-writer.js';

export interface PackedLayer {
  /** Digest of the gzip blob (the OCI layer digest). */
  digest: Digest;
  /** Digest of the uncompressed tar (OCI diff_id): unchanged by a different compressor. */
  diffId: Digest;
  size: number;
  uncompressedSize: number;
  entries: number;
  compression: string;
}

export interface PackOptions {
  /** Seconds since the epoch for every entry; SOURCE_DATE_EPOCH or the fixed default. */
  mtimeSeconds?: number;
}

/** The entry mtime: SOURCE_DATE_EPOCH when set (an integer), otherwise the fixed default. */
export function packMtime(env: NodeJS.ProcessEnv): number {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw !== undefined && /^\d+$/.test(raw)) return Number(raw);
  return DEFAULT_MTIME_SECONDS;
}

/**
 * Packs entries into a deterministic tar+gzip layer blob in the store. The tar streams
 * through the diff_id hash and the parallel gzip straight into a blob writer: memory stays
 * a few MiB whatever the size of the tree. A failure (or a kill) leaves only a temp file in
 * the store's ingest folder, never a partial blob.
 */
export async function packLayer(
  entries: readonly LayerEntry[],
  store: OciStore,
  options: PackOptions = {},
): Promise<PackedLayer> {
  const sorted = normalizeEntries(entries);
  const writer = await store.createBlobWriter();
  try {
    const diff = createHash('sha256');
    const gzip = createBlockGzip((chunk) => writer.write(chunk));
    for await (const chunk of tarChunks(sorted, options.mtimeSeconds ?? DEFAULT_MTIME_SECONDS)) {
      diff.update(chunk);
      await gzip.write(chunk);
    }
    const uncompressedSize = await gzip.end();
    const { digest, size } = await writer.commit();
    return {
      digest,
      diffId: `sha256:${diff.digest('hex')}`,
      size,
      uncompressedSize,
      entries: sorted.length,
      compression: compressionLabel(),
    };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
