import { isAbsolute, join } from 'node:path';
import { LocalEnvironmentBackend, RegistryEnvironmentBackend, type EnvironmentBackend } from '@devkit/environments';
import { OciStore, parseRef, resolveRef, type Descriptor } from '@devkit/artifact';
import { RegistryClient } from '@devkit/registry';
import { usageError } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';

/** The store folder devkit.json names (artifacts.store), default `.devkit/store`. */
export function storeRoot(ctx: ProjectContext): string {
  const configured = ctx.config.artifacts?.store ?? '.devkit/store';
  return isAbsolute(configured) ? configured : join(ctx.root, configured);
}

/** The project's store; `create: false` (a dry run) writes nothing, a missing store reads as empty. */
export function openProjectStore(ctx: ProjectContext, options: { create?: boolean } = {}): Promise<OciStore> {
  return OciStore.open(storeRoot(ctx), options);
}

/** devkit's own version: part of every inputs digest and every provenance statement. */
export { devkitVersion } from '@devkit/core/install';

/** Resolves `<name>@<digest>`, `<name>:<tag>` or `<name>` in the store. */
export async function resolveInStore(store: OciStore, text: string): Promise<{ name: string; descriptor: Descriptor }> {
  return resolveRef(await store.readIndex(), parseRef(text), store.root);
}

/** An environment of devkit.json, or exit 2 naming the ones that exist. */
export function environmentConfig(
  ctx: ProjectContext,
  env: string,
): NonNullable<ProjectContext['config']['environments']>[string] {
  const envs = ctx.config.environments ?? {};
  const found = envs[env];
  if (!found) {
    const known = Object.keys(envs);
    throw usageError(
      'E_UNKNOWN_ENVIRONMENT',
      `there is no environment "${env}" in ${ctx.configFile}${known.length ? ` (there are: ${known.join(', ')})` : ''}`,
      {
        hint: known.length ? `use one of: ${known.join(', ')}` : `declare it: "environments": { "${env}": {} }`,
      },
    );
  }
  return found;
}

/** A registry client for a URL, with upload state kept in the local store. */
export function registryClient(ctx: ProjectContext, store: OciStore, url: string, insecure = false): RegistryClient {
  return new RegistryClient(url, { env: ctx.env, insecure, stateDir: join(store.root, 'uploads') });
}

/** The registry of `--registry`, else DEVKIT_REGISTRY; exit 2 when neither says. */
export function registryFromFlags(ctx: ProjectContext, store: OciStore, flag: unknown): RegistryClient {
  const url = typeof flag === 'string' && flag ? flag : ctx.env.DEVKIT_REGISTRY;
  if (!url)
    throw usageError('E_NO_REGISTRY', 'no registry given', {
      hint: 'pass --registry <url> (e.g. --registry http://127.0.0.1:5000) or set DEVKIT_REGISTRY',
    });
  return registryClient(ctx, store, url);
}

/**
 * Where an environment's pointer and history live: the registry of
 * environments.<env>.registry (serialised by its PostgreSQL or Redis lock when configured), else the
 * local store.
 */
export async function environmentBackend(
  ctx: ProjectContext,
  env: string,
): Promise<EnvironmentBackend & { client?: RegistryClient }> {
  const config = environmentConfig(ctx, env);
  const store = await openProjectStore(ctx);
  if (!config.registry) return new LocalEnvironmentBackend(store);
  if (config.lock?.postgres && config.lock.redis) {
    throw usageError(
      'E_LOCK_AMBIGUOUS',
      `environments.${env}.lock names both a PostgreSQL and a Redis lock in ${ctx.configFile}; promoters using different locks would not exclude each other`,
      {
        hint: `keep one of environments.${env}.lock.postgres and environments.${env}.lock.redis`,
      },
    );
  }
  const client = registryClient(ctx, store, config.registry, config.insecure === true);
  const backend = new RegistryEnvironmentBackend(client, {
    redis: config.lock?.redis,
    postgres: config.lock?.postgres,
    localDir: store.root,
  });
  return Object.assign(backend, { client });
}

/** Refuses a name the store has never seen (exit 2), listing those it has. */
export async function requireKnownName(store: OciStore, name: string): Promise<void> {
  const index = await store.readIndex();
  const names = [
    ...new Set(
      index.manifests.map((d) => d.annotations?.['dev.devkit.artifact.name']).filter((n): n is string => Boolean(n)),
    ),
  ].sort();
  if (!names.includes(name)) {
    throw usageError(
      'E_UNKNOWN_ARTIFACT',
      `no artifact is named "${name}" in ${store.root}${names.length ? ` (there are: ${names.join(', ')})` : ''}`,
      {
        hint: names.length ? `use one of: ${names.join(', ')}` : 'run `devkit build` first',
      },
    );
  }
}
