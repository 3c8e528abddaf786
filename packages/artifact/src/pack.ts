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
  /** Told the uncompressed (tar) bytes packed so far, as they go: for progress. */
  onBytes?: ((bytes: number) => void) | undefined;
}

/** About the tar size of `entries` (a 512-byte header each, content padded to 512, the end blocks): a progress total. */
export function estimateTarBytes(entries: readonly LayerEntry[]): number {
  let total = 1024;
  for (const e of entries) total += 512 + (e.type === 'file' ? Math.ceil(e.size / 512) * 512 : 0);
  return total;
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
    let packed = 0;
    for await (const chunk of tarChunks(sorted, options.mtimeSeconds ?? DEFAULT_MTIME_SECONDS)) {
      diff.update(chunk);
      await gzip.write(chunk);
      packed += chunk.length;
      options.onBytes?.(packed);
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
