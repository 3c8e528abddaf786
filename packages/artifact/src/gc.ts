import { rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { buildEntries, kindOf, readManifest } from './artifact.js';
import type { Digest } from './digest.js';
import { liveLeases } from './leases.js';
import { ANNOTATIONS, HISTORY_TYPE } from './media-types.js';
import type { Descriptor, ImageIndex, OciStore } from './store.js';

export interface GcOptions {
  /** Also drop build entries that are not roots (see below); otherwise only unreferenced blobs go. */
  prune: boolean;
  /** Builds kept per name when pruning, newest first. */
  keepBuilds: number;
  /**
   * Manifests that stay whatever else is dropped, with everything they reach: the artifacts
   * of the environments' recent history (rollback targets). The caller knows what those are.
   */
  roots: Iterable<Digest>;
  dryRun?: boolean;
}

export interface GcPlan {
  /** Index entries that stay. */
  keep: Descriptor[];
  /** Build entries (and their referrers) dropped from the index. */
  dropEntries: Descriptor[];
}

/**
 * Which index entries survive (pure). Roots: every tag (environment pointers), every history
 * entry, the given roots (what the environments' recent history points to), the newest `keepBuilds`
 * builds of each name — and, without `prune`, every entry. A referrer lives as long as its subject.
 */
export function planGc(index: ImageIndex, options: Pick<GcOptions, 'prune' | 'keepBuilds' | 'roots'>): GcPlan {
  if (!options.prune) return { keep: index.manifests, dropEntries: [] };
  const rooted = new Set<string>(options.roots);
  for (const d of index.manifests) if (kindOf(d) === 'tag' || kindOf(d) === 'history') rooted.add(d.digest);
  const names = new Set(
    index.manifests.filter((d) => kindOf(d) === 'build').map((d) => d.annotations?.[ANNOTATIONS.name] ?? ''),
  );
  for (const name of names)
    for (const d of buildEntries(index, name).slice(0, options.keepBuilds)) rooted.add(d.digest);
  const keep: Descriptor[] = [];
  const dropEntries: Descriptor[] = [];
  for (const d of index.manifests) {
    const kind = kindOf(d);
    const subject = d.annotations?.['dev.devkit.subject'];
    const stays =
      kind === 'build'
        ? rooted.has(d.digest)
        : kind === 'referrer'
          ? subject !== undefined && rooted.has(subject)
          : true;
    (stays ? keep : dropEntries).push(d);
  }
  return { keep, dropEntries };
}

export interface GcResult {
  droppedEntries: number;
  removedBlobs: Digest[];
  freedBytes: number;
  removedTemp: number;
  /** Set when a live writer held a lease: blobs were not swept this time. */
  skippedSweep?: { pids: number[] };
}

/**
 * Collects garbage under the store lock: applies the plan to index.json, marks every blob
 * reachable from what stays (manifests, configs, layers, history chains), and deletes the
 * rest, plus temp files of writes that died. Never deletes a blob something points to.
 */
export async function collectGarbage(store: OciStore, options: GcOptions): Promise<GcResult> {
  return store.withLock(async () => {
    const index = await store.readIndex();
    const roots = [...options.roots];
    const plan = planGc(index, { prune: options.prune, keepBuilds: options.keepBuilds, roots });
    if (!options.dryRun && plan.dropEntries.length > 0) await store.writeIndex({ ...index, manifests: plan.keep });
    const marked = new Set<string>();
    const mark = async (digest: Digest) => {
      if (marked.has(digest)) return;
      marked.add(digest);
      let manifest;
      try {
        manifest = await readManifest(store, digest);
      } catch {
        return; // missing or corrupt: nothing more reachable through it
      }
      marked.add(manifest.config.digest);
      for (const layer of manifest.layers) marked.add(layer.digest);
      // History is append-only: every entry of the chain stays, whatever its age.
      const previous = manifest.annotations?.[ANNOTATIONS.previous];
      if (manifest.artifactType === HISTORY_TYPE && previous && /^sha256:[a-f0-9]{64}$/.test(previous))
        await mark(previous as Digest);
    };
    for (const root of roots) await mark(root);
    for (const d of plan.keep) await mark(d.digest);
    const result: GcResult = {
      droppedEntries: plan.dropEntries.length,
      removedBlobs: [],
      freedBytes: 0,
      removedTemp: 0,
    };
    const leases = (await liveLeases(store.root)).filter((pid) => pid !== process.pid);
    if (leases.length > 0) {
      result.skippedSweep = { pids: leases };
      return result;
    }
    for (const digest of await store.listBlobs()) {
      if (marked.has(digest)) continue;
      const size = (await store.blobSize(digest)) ?? 0;
      if (!options.dryRun) await rm(store.blobPath(digest), { force: true });
      result.removedBlobs.push(digest);
      result.freedBytes += size;
    }
    for (const tmp of await store.listIngest()) {
      const pid = Number(basename(tmp).split('-')[0]);
      if (pid === process.pid) continue;
      await stat(tmp).catch(() => undefined);
      if (!options.dryRun) await rm(tmp, { force: true });
      result.removedTemp++;
    }
    return result;
  });
}
