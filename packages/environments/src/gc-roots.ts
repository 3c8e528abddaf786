import { kindOf, readManifest, type Digest, type OciStore } from '@devkit/artifact';
import { PREVIOUS_ANNOTATION } from './history.js';

/**
 * The artifacts the last `keep` history entries of every environment in the local store point
 * to: rollback targets, which `collectGarbage` must keep (its `roots`). A missing or corrupt
 * entry ends that chain's walk rather than the collection.
 */
export async function historyRoots(store: OciStore, keep: number): Promise<Digest[]> {
  const roots = new Set<Digest>();
  const index = await store.readIndex();
  for (const head of index.manifests.filter((d) => kindOf(d) === 'history')) {
    let cursor: Digest | undefined = head.digest;
    for (let depth = 0; cursor && depth < keep; depth++) {
      const manifest = await readManifest(store, cursor).catch(() => undefined);
      if (!manifest) break;
      if (manifest.subject) roots.add(manifest.subject.digest);
      cursor = manifest.annotations?.[PREVIOUS_ANNOTATION] as Digest | undefined;
    }
  }
  return [...roots];
}
