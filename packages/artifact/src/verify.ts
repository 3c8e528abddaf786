import { kindOf, readManifest, referrersOf, type ArtifactManifest } from './artifact.js';
import type { Digest } from './digest.js';
import type { BlobState, Descriptor, ImageIndex, OciStore } from './store.js';

/** One blob checked, with the role it plays. */
export type VerifiedBlob = BlobState & { role: string };

export interface VerifyReport {
  ok: boolean;
  blobs: VerifiedBlob[];
}

/**
 * Hashes every blob of an artifact — manifest, build record, layers — and of its referrers
 * (provenance), and says which are missing or corrupt.
 */
export async function verifyArtifact(store: OciStore, index: ImageIndex, manifest: Descriptor): Promise<VerifyReport> {
  const blobs: VerifiedBlob[] = [];
  const walk = async (digest: Digest, role: string): Promise<ArtifactManifest | undefined> => {
    const state = await store.verifyBlob(digest);
    blobs.push({ ...state, role });
    if (state.state !== 'ok') return undefined;
    const m = await readManifest(store, digest);
    blobs.push({ ...(await store.verifyBlob(m.config.digest)), role: `${role} config` });
    for (const [i, layer] of m.layers.entries()) {
      const part = layer.annotations?.['dev.devkit.layer.part'] ?? `layer ${i}`;
      blobs.push({ ...(await store.verifyBlob(layer.digest)), role: `${role} ${part}` });
    }
    return m;
  };
  await walk(manifest.digest, 'manifest');
  for (const ref of referrersOf(index, manifest.digest))
    await walk(
      ref.digest,
      ref.artifactType === 'application/vnd.in-toto+json' ? 'provenance' : (kindOf(ref) ?? 'referrer'),
    );
  return { ok: blobs.every((b) => b.state === 'ok'), blobs };
}
