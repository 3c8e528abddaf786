import { findingError } from '@devkit/core';
import type { BuildRecord } from './build-record.js';
import { digestOf, type Digest } from './digest.js';
import { ANNOTATIONS, ARTIFACT_TYPE, EMPTY_JSON, MEDIA_TYPES, PROVENANCE_TYPE } from './media-types.js';
import type { PackedLayer } from './pack.js';
import { formatRef, type ArtifactRef } from './refs.js';
import type { Descriptor, ImageIndex, OciStore } from './store.js';

export interface ArtifactManifest {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPES.manifest;
  artifactType: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A layer as the build hands it over: which part of the deployable it holds. */
export interface LayerPart {
  /** `app`, `deps`, or `native-<target>`. */
  part: string;
  target?: string;
  layer: PackedLayer;
}

/** The manifest of an artifact (pure): config = build record, one layer per part. */
export function artifactManifest(name: string, config: Descriptor, parts: readonly LayerPart[]): ArtifactManifest {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    artifactType: ARTIFACT_TYPE,
    config,
    layers: parts.map(({ part, target, layer }) => ({
      mediaType: MEDIA_TYPES.layerGzip,
      digest: layer.digest,
      size: layer.size,
      annotations: {
        [ANNOTATIONS.title]: `${name}-${part}.tar.gz`,
        [ANNOTATIONS.part]: part,
        ...(target ? { [ANNOTATIONS.target]: target } : {}),
        [ANNOTATIONS.diffId]: layer.diffId,
        [ANNOTATIONS.entries]: String(layer.entries),
        [ANNOTATIONS.compression]: layer.compression,
      },
    })),
    annotations: { [ANNOTATIONS.name]: name },
  };
}

/** Writes the config and manifest blobs; returns the manifest's descriptor. */
export async function writeArtifact(
  store: OciStore,
  name: string,
  record: BuildRecord,
  parts: readonly LayerPart[],
): Promise<Descriptor> {
  const config = await store.putJson(record);
  const manifest = artifactManifest(
    name,
    { mediaType: MEDIA_TYPES.buildRecord, digest: config.digest, size: config.size },
    parts,
  );
  const written = await store.putJson(manifest);
  return { mediaType: MEDIA_TYPES.manifest, digest: written.digest, size: written.size, artifactType: ARTIFACT_TYPE };
}

/** Records a build in index.json (name, inputs digest, time) so it is a root and can be reused. */
export async function registerBuild(
  store: OciStore,
  name: string,
  manifest: Descriptor,
  inputs: Digest,
  now: Date,
): Promise<void> {
  await store.updateIndex((index) => {
    const kept = index.manifests.filter(
      (d) => !(d.digest === manifest.digest && kindOf(d) === 'build' && d.annotations?.[ANNOTATIONS.name] === name),
    );
    kept.push({
      ...manifest,
      annotations: {
        [ANNOTATIONS.kind]: 'build',
        [ANNOTATIONS.name]: name,
        [ANNOTATIONS.inputs]: inputs,
        [ANNOTATIONS.created]: now.toISOString(),
      },
    });
    return { index: { ...index, manifests: kept }, result: undefined };
  });
}

/** Stores an in-toto statement as a referrer (OCI `subject`) of the artifact and roots it in the index. */
export async function attachProvenance(
  store: OciStore,
  name: string,
  subject: Descriptor,
  statement: unknown,
  now: Date,
): Promise<Descriptor> {
  const empty = await store.putBlob(EMPTY_JSON);
  const body = await store.putJson(statement);
  const manifest: ArtifactManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    artifactType: PROVENANCE_TYPE,
    config: { mediaType: MEDIA_TYPES.empty, digest: empty.digest, size: empty.size },
    layers: [
      {
        mediaType: MEDIA_TYPES.inToto,
        digest: body.digest,
        size: body.size,
        annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' },
      },
    ],
    subject: { mediaType: MEDIA_TYPES.manifest, digest: subject.digest, size: subject.size },
    annotations: { [ANNOTATIONS.created]: now.toISOString() },
  };
  const written = await store.putJson(manifest);
  const descriptor: Descriptor = {
    mediaType: MEDIA_TYPES.manifest,
    digest: written.digest,
    size: written.size,
    artifactType: PROVENANCE_TYPE,
  };
  await store.updateIndex((index) => ({
    index: {
      ...index,
      manifests: [
        ...index.manifests.filter((d) => d.digest !== written.digest),
        {
          ...descriptor,
          annotations: {
            [ANNOTATIONS.kind]: 'referrer',
            [ANNOTATIONS.name]: name,
            'dev.devkit.subject': subject.digest,
            [ANNOTATIONS.created]: now.toISOString(),
          },
        },
      ],
    },
    result: undefined,
  }));
  return descriptor;
}

export function kindOf(d: Descriptor): string | undefined {
  return d.annotations?.[ANNOTATIONS.kind];
}

/** Build entries of the index, newest first. */
export function buildEntries(index: ImageIndex, name?: string): Descriptor[] {
  return index.manifests
    .filter((d) => kindOf(d) === 'build' && (name === undefined || d.annotations?.[ANNOTATIONS.name] === name))
    .sort((a, b) =>
      (b.annotations?.[ANNOTATIONS.created] ?? '').localeCompare(a.annotations?.[ANNOTATIONS.created] ?? ''),
    );
}

/** The artifact previously built from exactly these inputs, if the store still has it. */
export function findByInputs(index: ImageIndex, name: string, inputs: Digest): Descriptor | undefined {
  return buildEntries(index, name).find((d) => d.annotations?.[ANNOTATIONS.inputs] === inputs);
}

/** Referrers (provenance) of a manifest. */
export function referrersOf(index: ImageIndex, digest: Digest): Descriptor[] {
  return index.manifests.filter((d) => kindOf(d) === 'referrer' && d.annotations?.['dev.devkit.subject'] === digest);
}

/** Finds the manifest a reference names; `E_ARTIFACT_NOT_FOUND` (exit 1) otherwise. */
export function resolveRef(
  index: ImageIndex,
  ref: ArtifactRef,
  storeRoot: string,
): { name: string; descriptor: Descriptor } {
  const notFound = () =>
    findingError('E_ARTIFACT_NOT_FOUND', `no artifact ${formatRef(ref)} in ${storeRoot}`, {
      hint: 'run `devkit artifact ls` to see what the store holds, or `devkit build` / `devkit artifact pull` to get it',
    });
  const named = (d: Descriptor) => d.annotations?.[ANNOTATIONS.name];
  if (ref.kind === 'digest') {
    const hit = index.manifests.find(
      (d) => d.digest === ref.digest && kindOf(d) !== 'referrer' && (ref.name === undefined || named(d) === ref.name),
    );
    if (!hit) throw notFound();
    return { name: named(hit) ?? ref.name ?? '', descriptor: stripAnnotations(hit) };
  }
  if (ref.kind === 'tag' && ref.tag !== 'latest') {
    const hit = index.manifests.find(
      (d) => kindOf(d) === 'tag' && d.annotations?.[ANNOTATIONS.refName] === `${ref.name}:${ref.tag}`,
    );
    if (!hit) throw notFound();
    return { name: ref.name, descriptor: stripAnnotations(hit) };
  }
  const newest = buildEntries(index, ref.name)[0];
  if (!newest) throw notFound();
  return { name: ref.name, descriptor: stripAnnotations(newest) };
}

function stripAnnotations(d: Descriptor): Descriptor {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.artifactType ? { artifactType: d.artifactType } : {}),
  };
}

/** Reads and sanity-checks a manifest (digest checked by the store). */
export async function readManifest(store: OciStore, digest: Digest): Promise<ArtifactManifest> {
  const manifest = await store.readJson<ArtifactManifest>(digest);
  if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
    throw findingError('E_MANIFEST_INVALID', `blob ${digest} is not an OCI image manifest`);
  }
  return manifest;
}

export function emptyJsonDigest(): Digest {
  return digestOf(EMPTY_JSON);
}
