import { join } from 'node:path';
import {
  type ArtifactManifest,
  type Digest,
  withStoreLock,
  ANNOTATIONS,
  EMPTY_JSON,
  MEDIA_TYPES,
  PROVENANCE_TYPE,
  type Descriptor,
  digestOf,
} from '@devkit/artifact';
import { type RegistryClient, registryReferrers } from '@devkit/registry';
import type { EnvironmentBackend } from './environment-backend.js';
import { historyManifest, historyTag, PREVIOUS_ANNOTATION, type HistoryEntry } from './history.js';
import { withPostgresLock } from './postgres-lock.js';
import { withRedisLock } from './redis-lock.js';

export interface RegistryLock {
  redis?: string | undefined;
  postgres?: string | undefined;
  /** Folder for the machine-local fallback lock. */
  localDir: string;
}

/**
 * An environment kept in a registry: `<name>:<env>` is a tag, the history a chain of
 * manifests whose head is the tag `<name>:history.<env>`. Registries have no
 * compare-and-swap on tags, so promotes are serialised by a lock outside them: a PostgreSQL
 * advisory lock or a Redis lock when environments.<env>.lock names one (safe across
 * machines), otherwise a lock file on this machine only — two machines promoting the same environment at once can then lose an
 * entry (`devkit history` reports the broken chain).
 */
export class RegistryEnvironmentBackend implements EnvironmentBackend {
  readonly label: string;

  constructor(
    private readonly client: RegistryClient,
    private readonly lockConfig: RegistryLock,
  ) {
    this.label = `the registry ${client.label}`;
    // Load the lock's client library now, while the promote talks to the registry, rather than
    // after: its ~80 ms of module loading then overlaps network waits.
    if (lockConfig.postgres) import('pg').catch(() => undefined);
    else if (lockConfig.redis) import('@redis/client').catch(() => undefined);
  }

  lock<T>(name: string, env: string, fn: () => Promise<T>): Promise<T> {
    const key = `devkit:promote:${this.client.host}/${this.client.repo(name)}:${env}`;
    if (this.lockConfig.postgres)
      return withPostgresLock(this.lockConfig.postgres, key, fn, { setting: `environments.${env}.lock.postgres` });
    if (this.lockConfig.redis)
      return withRedisLock(this.lockConfig.redis, key, fn, { setting: `environments.${env}.lock.redis` });
    return withStoreLock(
      join(this.lockConfig.localDir, `promote.${key.replace(/[^A-Za-z0-9.-]/g, '_')}.lock`),
      { what: `promotion of ${name} to ${env}` },
      fn,
    );
  }

  async pointers(name: string, env: string): Promise<{ tag: Digest | undefined; head: Digest | undefined }> {
    const repo = this.client.repo(name);
    return { tag: await this.client.resolveTag(repo, env), head: await this.client.resolveTag(repo, historyTag(env)) };
  }

  async readEntry(name: string, digest: Digest): Promise<{ entry: HistoryEntry; previous: Digest | null }> {
    const repo = this.client.repo(name);
    const got = await this.client.getManifest(repo, digest);
    if (!got) throw new Error(`history entry ${digest} is missing from ${this.client.label}/${repo}`);
    const manifest = JSON.parse(got.bytes.toString('utf8')) as ArtifactManifest;
    const chunks: Buffer[] = [];
    for await (const c of await this.client.getBlob(repo, manifest.config.digest)) chunks.push(c as Buffer);
    return {
      entry: JSON.parse(Buffer.concat(chunks).toString('utf8')) as HistoryEntry,
      previous: (manifest.annotations?.[PREVIOUS_ANNOTATION] as Digest | undefined) ?? null,
    };
  }

  async artifact(name: string, digest: Digest): Promise<Descriptor | undefined> {
    const got = await this.client.getManifest(this.client.repo(name), digest);
    if (!got) return undefined;
    return {
      mediaType: MEDIA_TYPES.manifest,
      digest,
      size: got.bytes.length,
      annotations: { [ANNOTATIONS.name]: name },
    };
  }

  async append(
    name: string,
    env: string,
    entry: HistoryEntry,
    previous: Digest | null,
    artifact: Descriptor,
  ): Promise<Digest> {
    const repo = this.client.repo(name);
    const config = Buffer.from(JSON.stringify(entry));
    const configDigest = digestOf(config);
    await this.client.uploadBytes(repo, configDigest, config);
    const empty = digestOf(EMPTY_JSON);
    if (!(await this.client.hasBlob(repo, empty))) await this.client.uploadBytes(repo, empty, EMPTY_JSON);
    const manifest = Buffer.from(
      JSON.stringify(
        historyManifest(
          { mediaType: MEDIA_TYPES.historyEntry, digest: configDigest, size: config.length },
          artifact,
          previous,
        ),
      ),
    );
    const manifestDigest = digestOf(manifest);
    await this.client.putManifest(repo, manifestDigest, manifest, MEDIA_TYPES.manifest);
    // History head first, the environment tag last: an interruption leaves the tag behind its
    // history, which the next promote or rollback rolls forward — never a tag without its entry.
    await this.client.putManifest(repo, historyTag(env), manifest, MEDIA_TYPES.manifest);
    await this.moveTag(name, env, artifact);
    return manifestDigest;
  }

  async moveTag(name: string, env: string, artifact: Descriptor): Promise<void> {
    const repo = this.client.repo(name);
    const got = await this.client.getManifest(repo, artifact.digest);
    if (!got) throw new Error(`${name}@${artifact.digest} vanished from ${this.client.label}`);
    await this.client.putManifest(repo, env, got.bytes, MEDIA_TYPES.manifest);
  }

  async provenance(name: string, digest: Digest): Promise<unknown> {
    const repo = this.client.repo(name);
    const refs = await registryReferrers(this.client, repo, digest);
    const ref = refs.find((d) => d.artifactType === PROVENANCE_TYPE);
    if (!ref) return undefined;
    const got = await this.client.getManifest(repo, ref.digest);
    if (!got) return undefined;
    const manifest = JSON.parse(got.bytes.toString('utf8')) as ArtifactManifest;
    if (!manifest.layers[0]) return undefined;
    const chunks: Buffer[] = [];
    for await (const c of await this.client.getBlob(repo, manifest.layers[0].digest)) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }
}
