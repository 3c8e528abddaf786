import { join } from 'node:path';
import {
  readManifest,
  kindOf,
  referrersOf,
  type Digest,
  takeLease,
  withStoreLock,
  ANNOTATIONS,
  MEDIA_TYPES,
  type Descriptor,
  type OciStore,
} from '@devkit/artifact';
import { historyManifest, historyTag, PREVIOUS_ANNOTATION, type HistoryEntry } from './history.js';

/**
 * Where an environment's pointer and history live: the local store or a registry. Promote,
 * rollback and history are written once against this interface.
 */
export interface EnvironmentBackend {
  /** For messages: "the local store /x/.devkit/store" or "registry http://…". */
  readonly label: string;
  /** Serialises promotes of one name/environment (see each backend for how far that reaches). */
  lock<T>(name: string, env: string, fn: () => Promise<T>): Promise<T>;
  /** The environment tag and the newest history entry (manifest digests). */
  pointers(name: string, env: string): Promise<{ tag: Digest | undefined; head: Digest | undefined }>;
  readEntry(name: string, digest: Digest): Promise<{ entry: HistoryEntry; previous: Digest | null }>;
  /** The artifact manifest's descriptor when the backend holds it. */
  artifact(name: string, digest: Digest): Promise<Descriptor | undefined>;
  /** Writes the entry, then moves the history head, then the tag (the tag last). */
  append(
    name: string,
    env: string,
    entry: HistoryEntry,
    previous: Digest | null,
    artifact: Descriptor,
  ): Promise<Digest>;
  /** Points the tag at an artifact (repair after an interrupted append). */
  moveTag(name: string, env: string, artifact: Descriptor): Promise<void>;
  /** The artifact's provenance statement (its in-toto referrer), if it has one. */
  provenance(name: string, digest: Digest): Promise<unknown>;
}

/**
 * The local store: pointer and history head change in one atomic index.json write, so they
 * can never disagree; promotes of one name/environment are serialised by a lock file, which
 * holds across processes of this machine (the store is a local folder).
 */
export class LocalEnvironmentBackend implements EnvironmentBackend {
  readonly label: string;

  constructor(private readonly store: OciStore) {
    this.label = `the local store ${store.root}`;
  }

  lock<T>(name: string, env: string, fn: () => Promise<T>): Promise<T> {
    return withStoreLock(
      join(this.store.root, `promote.${name.replaceAll('/', '+')}.${env}.lock`),
      { what: `promotion of ${name} to ${env}` },
      fn,
    );
  }

  async pointers(name: string, env: string): Promise<{ tag: Digest | undefined; head: Digest | undefined }> {
    const index = await this.store.readIndex();
    const find = (ref: string) =>
      index.manifests.find(
        (d) => d.annotations?.[ANNOTATIONS.refName] === ref && (kindOf(d) === 'tag' || kindOf(d) === 'history'),
      )?.digest;
    return { tag: find(`${name}:${env}`), head: find(`${name}:${historyTag(env)}`) };
  }

  async readEntry(_name: string, digest: Digest): Promise<{ entry: HistoryEntry; previous: Digest | null }> {
    const manifest = await readManifest(this.store, digest);
    const entry = await this.store.readJson<HistoryEntry>(manifest.config.digest);
    return { entry, previous: (manifest.annotations?.[PREVIOUS_ANNOTATION] as Digest | undefined) ?? null };
  }

  async artifact(name: string, digest: Digest): Promise<Descriptor | undefined> {
    const index = await this.store.readIndex();
    const known = index.manifests.find(
      (d) =>
        d.digest === digest &&
        kindOf(d) !== 'referrer' &&
        kindOf(d) !== 'history' &&
        d.annotations?.[ANNOTATIONS.name] === name,
    );
    if (!known) return undefined;
    return { mediaType: MEDIA_TYPES.manifest, digest, size: known.size, annotations: { [ANNOTATIONS.name]: name } };
  }

  async append(
    name: string,
    env: string,
    entry: HistoryEntry,
    previous: Digest | null,
    artifact: Descriptor,
  ): Promise<Digest> {
    const release = await takeLease(this.store.root);
    try {
      return await this.appendLeased(name, env, entry, previous, artifact);
    } finally {
      await release();
    }
  }

  private async appendLeased(
    name: string,
    env: string,
    entry: HistoryEntry,
    previous: Digest | null,
    artifact: Descriptor,
  ): Promise<Digest> {
    const config = await this.store.putJson(entry);
    await this.store.putBlob(Buffer.from('{}'));
    const manifest = await this.store.putJson(
      historyManifest(
        { mediaType: MEDIA_TYPES.historyEntry, digest: config.digest, size: config.size },
        artifact,
        previous,
      ),
    );
    await this.store.updateIndex((index) => {
      const tagRef = `${name}:${env}`;
      const headRef = `${name}:${historyTag(env)}`;
      const kept = index.manifests.filter(
        (d) => d.annotations?.[ANNOTATIONS.refName] !== tagRef && d.annotations?.[ANNOTATIONS.refName] !== headRef,
      );
      kept.push(
        {
          mediaType: MEDIA_TYPES.manifest,
          digest: manifest.digest,
          size: manifest.size,
          annotations: {
            [ANNOTATIONS.kind]: 'history',
            [ANNOTATIONS.name]: name,
            [ANNOTATIONS.env]: env,
            [ANNOTATIONS.refName]: headRef,
          },
        },
        {
          mediaType: MEDIA_TYPES.manifest,
          digest: artifact.digest,
          size: artifact.size,
          annotations: {
            [ANNOTATIONS.kind]: 'tag',
            [ANNOTATIONS.name]: name,
            [ANNOTATIONS.env]: env,
            [ANNOTATIONS.refName]: tagRef,
          },
        },
      );
      return { index: { ...index, manifests: kept }, result: undefined };
    });
    return manifest.digest;
  }

  async moveTag(name: string, env: string, artifact: Descriptor): Promise<void> {
    await this.store.updateIndex((index) => {
      const tagRef = `${name}:${env}`;
      const kept = index.manifests.filter((d) => d.annotations?.[ANNOTATIONS.refName] !== tagRef);
      kept.push({
        mediaType: MEDIA_TYPES.manifest,
        digest: artifact.digest,
        size: artifact.size,
        annotations: {
          [ANNOTATIONS.kind]: 'tag',
          [ANNOTATIONS.name]: name,
          [ANNOTATIONS.env]: env,
          [ANNOTATIONS.refName]: tagRef,
        },
      });
      return { index: { ...index, manifests: kept }, result: undefined };
    });
  }

  async provenance(_name: string, digest: Digest): Promise<unknown> {
    const ref = referrersOf(await this.store.readIndex(), digest).find(
      (d) => d.artifactType === 'application/vnd.in-toto+json',
    );
    if (!ref) return undefined;
    const manifest = await readManifest(this.store, ref.digest);
    return manifest.layers[0] ? this.store.readJson(manifest.layers[0].digest) : undefined;
  }
}
