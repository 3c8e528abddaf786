/** Media and artifact types devkit writes into OCI content. */
export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  empty: 'application/vnd.oci.empty.v1+json',
  buildRecord: 'application/vnd.devkit.build-record.v1+json',
  inToto: 'application/vnd.in-toto+json',
  historyEntry: 'application/vnd.devkit.history-entry.v1+json',
} as const;

/** The `artifactType` of every devkit artifact manifest. */
export const ARTIFACT_TYPE = 'application/vnd.devkit.artifact.v1';
/** The `artifactType` of the SLSA provenance referrer. */
export const PROVENANCE_TYPE = 'application/vnd.in-toto+json';
/** The `artifactType` of an environment history entry. */
export const HISTORY_TYPE = 'application/vnd.devkit.history.v1';

/** Annotation keys. `org.opencontainers.*` ones are the spec's; `dev.devkit.*` are ours. */
export const ANNOTATIONS = {
  refName: 'org.opencontainers.image.ref.name',
  created: 'org.opencontainers.image.created',
  title: 'org.opencontainers.image.title',
  name: 'dev.devkit.artifact.name',
  part: 'dev.devkit.layer.part',
  target: 'dev.devkit.layer.target',
  diffId: 'dev.devkit.layer.diff-id',
  entries: 'dev.devkit.layer.entries',
  compression: 'dev.devkit.layer.compression',
  inputs: 'dev.devkit.inputs.digest',
  kind: 'dev.devkit.index.kind',
  env: 'dev.devkit.environment',
  /** A manifest's predecessor in an append-only chain (environment history): gc keeps chains whole. */
  previous: 'dev.devkit.history.previous',
} as const;

/** The empty JSON blob `{}` OCI uses as a placeholder config. */
export const EMPTY_JSON = Buffer.from('{}');
