import { findingError, isDevkitError, withProgress, type Reporter } from '@devkit/core';
import {
  referrersOf,
  type ArtifactManifest,
  type Digest,
  takeLease,
  ANNOTATIONS,
  MEDIA_TYPES,
  type Descriptor,
  type OciStore,
} from '@devkit/artifact';
import type { RegistryClient } from './registry-client.js';

export interface TransferReport {
  name: string;
  digest: Digest;
  blobs: number;
  copied: number;
  /** Blobs mounted from another repository of the same registry (no bytes sent). */
  mounted: number;
  /** Bytes an interrupted earlier upload had already sent, not sent again. */
  resumedBytes: number;
  skipped: number;
  bytes: number;
  referrers: number;
}

/** A report with nothing transferred yet: pushes and pulls count into it as they go. */
function emptyReport(name: string, digest: Digest): TransferReport {
  return { name, digest, blobs: 0, copied: 0, mounted: 0, resumedBytes: 0, skipped: 0, bytes: 0, referrers: 0 };
}

/** Blobs smaller than this go up in one request. */
const SMALL = 1024 * 1024;

/**
 * Copies an artifact and its referrers (provenance) from the local store to a registry:
 * only the blobs the registry lacks (HEAD first), the manifest last — by digest, no tag
 * moves here. The registry checks every digest on upload.
 */
export async function pushArtifact(
  store: OciStore,
  client: RegistryClient,
  name: string,
  digest: Digest,
  reporter?: Reporter,
  mountFrom?: string,
): Promise<TransferReport> {
  const phase = {
    id: `push:${name}@${digest}`,
    title: `pushing ${name}@${digest.slice(7, 19)} to ${client.label}/${client.repo(name)}`,
  };
  return withProgress(reporter, phase, (progress) =>
    pushReported(store, client, name, digest, reporter, mountFrom, progress),
  );
}

/** The push, telling `progress` the bytes sent so far (as they go for big blobs, after each small one). */
async function pushReported(
  store: OciStore,
  client: RegistryClient,
  name: string,
  digest: Digest,
  reporter: Reporter | undefined,
  mountFrom: string | undefined,
  progress: (bytes: number) => void,
): Promise<TransferReport> {
  const repo = client.repo(name);
  const report = emptyReport(name, digest);
  const pushOne = async (manifestDigest: Digest): Promise<ArtifactManifest> => {
    const bytes = await store.readBlob(manifestDigest);
    const manifest = JSON.parse(bytes.toString('utf8')) as ArtifactManifest;
    for (const blob of [manifest.config, ...manifest.layers]) {
      report.blobs++;
      if (await client.hasBlob(repo, blob.digest)) {
        report.skipped++;
        continue;
      }
      // Same registry, another repository (another namespace): mount, no bytes sent.
      if (mountFrom && mountFrom !== repo && (await client.mountBlob(repo, blob.digest, mountFrom))) {
        report.mounted++;
        continue;
      }
      reporter?.emit({
        type: 'log',
        level: 'info',
        message: `uploading ${blob.digest} (${blob.size} bytes) to ${client.label}/${repo}`,
      });
      const before = report.bytes;
      let sent = 0;
      try {
        if (blob.size < SMALL) await client.uploadBytes(repo, blob.digest, await store.readBlob(blob.digest));
        else
          report.resumedBytes += (
            await client.uploadBlob(repo, blob.digest, blob.size, store.blobPath(blob.digest), (n) => {
              sent += n;
              progress(before + sent);
            })
          ).resumedAt;
      } catch (error) {
        if (
          isDevkitError(error) &&
          error.code === 'E_REGISTRY_REQUEST' &&
          /DIGEST_INVALID|digest/i.test(error.message)
        ) {
          throw findingError(
            'E_BLOB_CORRUPT',
            `the local copy of ${blob.digest} does not match its digest: the registry refused it`,
            { hint: 'run `devkit artifact verify` and rebuild the artifact', cause: error },
          );
        }
        throw error;
      }
      report.copied++;
      report.bytes += blob.size;
      progress(report.bytes);
    }
    await client.putManifest(repo, manifestDigest, bytes, manifest.mediaType);
    return manifest;
  };
  await pushOne(digest);
  const index = await store.readIndex();
  const referrers = referrersOf(index, digest);
  for (const ref of referrers) {
    const m = await pushOne(ref.digest);
    await addReferrer(client, repo, digest, {
      mediaType: MEDIA_TYPES.manifest,
      digest: ref.digest,
      size: ref.size,
      ...(m.artifactType ? { artifactType: m.artifactType } : {}),
    });
    report.referrers++;
  }
  return report;
}

/** The referrers tag schema of OCI 1.1 for registries without the referrers API: `sha256-<hex>` holds an index. */
function fallbackTag(digest: Digest): string {
  return digest.replace(':', '-');
}

async function addReferrer(
  client: RegistryClient,
  repo: string,
  subject: Digest,
  descriptor: Descriptor,
): Promise<void> {
  const existing = await client.getManifest(repo, fallbackTag(subject));
  const index = existing
    ? (JSON.parse(existing.bytes.toString('utf8')) as { manifests: Descriptor[] })
    : { manifests: [] };
  if (index.manifests.some((d) => d.digest === descriptor.digest)) return;
  const next = { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [...index.manifests, descriptor] };
  await client.putManifest(repo, fallbackTag(subject), Buffer.from(JSON.stringify(next)), MEDIA_TYPES.index);
}

/** Referrers of a manifest in a registry: the referrers API when it has one, else the tag fallback. */
export async function registryReferrers(client: RegistryClient, repo: string, subject: Digest): Promise<Descriptor[]> {
  const api = await client.request('GET', `/v2/${repo}/referrers/${subject}`, {
    scope: `repository:${repo}:pull`,
    allow: [404, 400, 405],
  });
  if (api.ok && (api.headers.get('content-type') ?? '').includes('index')) {
    const body = (await api.json()) as { manifests?: Descriptor[] };
    if (body.manifests && body.manifests.length > 0) return body.manifests;
  } else {
    await api.arrayBuffer().catch(() => undefined);
  }
  const tagged = await client.getManifest(repo, fallbackTag(subject));
  return tagged ? ((JSON.parse(tagged.bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? []) : [];
}

/**
 * Copies an artifact and its referrers from a registry into the local store: only the blobs
 * the store lacks, each checked against its digest as it streams in (a corrupt one is
 * refused and not kept), then roots it in index.json.
 */
export async function pullArtifact(
  client: RegistryClient,
  store: OciStore,
  name: string,
  digest: Digest,
  reporter?: Reporter,
): Promise<TransferReport> {
  const phase = {
    id: `pull:${name}@${digest}`,
    title: `pulling ${name}@${digest.slice(7, 19)} from ${client.label}/${client.repo(name)}`,
  };
  return withProgress(reporter, phase, (progress) => pullReported(client, store, name, digest, progress));
}

/** The pull, telling `progress` the bytes received so far. */
async function pullReported(
  client: RegistryClient,
  store: OciStore,
  name: string,
  digest: Digest,
  progress: (bytes: number) => void,
): Promise<TransferReport> {
  const repo = client.repo(name);
  const report = emptyReport(name, digest);
  const release = await takeLease(store.root);
  try {
    const pullOne = async (manifestDigest: Digest): Promise<ArtifactManifest> => {
      const got = await client.getManifest(repo, manifestDigest);
      if (!got)
        throw findingError('E_ARTIFACT_NOT_FOUND', `${name}@${manifestDigest} is not in the registry ${client.label}`, {
          hint: `push it first: \`devkit artifact push ${name}@${manifestDigest}\``,
        });
      const manifest = JSON.parse(got.bytes.toString('utf8')) as ArtifactManifest;
      for (const blob of [manifest.config, ...manifest.layers]) {
        report.blobs++;
        if ((await store.verifyBlob(blob.digest)).state === 'ok') {
          report.skipped++;
          continue;
        }
        const writer = await store.createBlobWriter();
        let received = 0;
        try {
          for await (const chunk of await client.getBlob(repo, blob.digest)) {
            await writer.write(chunk as Buffer);
            received += (chunk as Buffer).length;
            progress(report.bytes + received);
          }
          const written = await writer.commit();
          if (written.digest !== blob.digest)
            throw findingError('E_BLOB_CORRUPT', `${blob.digest} from ${client.label} arrived as ${written.digest}`);
        } catch (error) {
          await writer.abort();
          throw error;
        }
        report.copied++;
        report.bytes += blob.size;
      }
      await store.putBlob(got.bytes);
      return manifest;
    };
    const manifest = await pullOne(digest);
    const record = await store
      .readJson<{ inputsDigest?: string }>(manifest.config.digest)
      .catch(() => ({}) as { inputsDigest?: string });
    const referrers = await registryReferrers(client, repo, digest);
    for (const ref of referrers) {
      await pullOne(ref.digest);
      report.referrers++;
    }
    const now = new Date().toISOString();
    const manifestSize = (await store.blobSize(digest)) ?? 0;
    await store.updateIndex((index) => {
      const manifests = index.manifests.filter(
        (d) => !(d.digest === digest && d.annotations?.[ANNOTATIONS.kind] === 'build'),
      );
      manifests.push({
        mediaType: MEDIA_TYPES.manifest,
        digest,
        size: manifestSize,
        annotations: {
          [ANNOTATIONS.kind]: 'build',
          [ANNOTATIONS.name]: name,
          ...(record.inputsDigest ? { [ANNOTATIONS.inputs]: record.inputsDigest } : {}),
          [ANNOTATIONS.created]: now,
        },
      });
      for (const ref of referrers) {
        if (!manifests.some((d) => d.digest === ref.digest)) {
          manifests.push({
            mediaType: MEDIA_TYPES.manifest,
            digest: ref.digest,
            size: ref.size,
            ...(ref.artifactType ? { artifactType: ref.artifactType } : {}),
            annotations: {
              [ANNOTATIONS.kind]: 'referrer',
              [ANNOTATIONS.name]: name,
              'dev.devkit.subject': digest,
              [ANNOTATIONS.created]: now,
            },
          });
        }
      }
      return { index: { ...index, manifests }, result: undefined };
    });
    return report;
  } finally {
    await release();
  }
}
