import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { LocalEnvironmentBackend, RegistryEnvironmentBackend, movePointer, sendWebhooks, type DevkitEvent, type EnvironmentBackend, type PointerMove, type PointerMoveResult, type WebhookResult } from '@devkit/environments';
import { OciStore, parseRef, readManifest, resolveRef, type Descriptor, type Digest } from '@devkit/artifact';
import { RegistryClient } from '@devkit/registry';
import { redactUrlCredentials, usageError } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import type { HandlerIO } from '../spec.js';

/** The store folder devkit.json names (artifacts.store), default `.devkit/store`. */
export function storeRoot(ctx: ProjectContext): string {
  const configured = ctx.config.artifacts?.store ?? '.devkit/store';
  return isAbsolute(configured) ? configured : join(ctx.root, configured);
}

export function openProjectStore(ctx: ProjectContext): Promise<OciStore> {
  return OciStore.open(storeRoot(ctx));
}

/** devkit's own version: part of every inputs digest and every provenance statement. */
export function devkitVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Resolves `<name>@<digest>`, `<name>:<tag>` or `<name>` in the store. */
export async function resolveInStore(store: OciStore, text: string): Promise<{ name: string; descriptor: Descriptor }> {
  return resolveRef(await store.readIndex(), parseRef(text), store.root);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** An environment of devkit.json, or exit 2 naming the ones that exist. */
export function environmentConfig(ctx: ProjectContext, env: string): NonNullable<ProjectContext['config']['environments']>[string] {
  const envs = ctx.config.environments ?? {};
  const found = envs[env];
  if (!found) {
    const known = Object.keys(envs);
    throw usageError('E_UNKNOWN_ENVIRONMENT', `there is no environment "${env}" in ${ctx.configFile}${known.length ? ` (there are: ${known.join(', ')})` : ''}`, {
      hint: known.length ? `use one of: ${known.join(', ')}` : `declare it: "environments": { "${env}": {} }`,
    });
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
  if (!url) throw usageError('E_NO_REGISTRY', 'no registry given', { hint: 'pass --registry <url> (e.g. --registry http://127.0.0.1:5000) or set DEVKIT_REGISTRY' });
  return registryClient(ctx, store, url);
}

/**
 * Where an environment's pointer and history live: the registry of
 * environments.<env>.registry (serialised by its PostgreSQL or Redis lock when configured), else the
 * local store.
 */
export async function environmentBackend(ctx: ProjectContext, env: string): Promise<EnvironmentBackend & { client?: RegistryClient }> {
  const config = environmentConfig(ctx, env);
  const store = await openProjectStore(ctx);
  if (!config.registry) return new LocalEnvironmentBackend(store);
  if (config.lock?.postgres && config.lock.redis) {
    throw usageError('E_LOCK_AMBIGUOUS', `environments.${env}.lock names both a PostgreSQL and a Redis lock in ${ctx.configFile}; promoters using different locks would not exclude each other`, {
      hint: `keep one of environments.${env}.lock.postgres and environments.${env}.lock.redis`,
    });
  }
  const client = registryClient(ctx, store, config.registry, config.insecure === true);
  const backend = new RegistryEnvironmentBackend(client, { redis: config.lock?.redis, postgres: config.lock?.postgres, localDir: store.root });
  return Object.assign(backend, { client });
}

/** Refuses a name the store has never seen (exit 2), listing those it has. */
export async function requireKnownName(store: OciStore, name: string): Promise<void> {
  const index = await store.readIndex();
  const names = [...new Set(index.manifests.map((d) => d.annotations?.['dev.devkit.artifact.name']).filter((n): n is string => Boolean(n)))].sort();
  if (!names.includes(name)) {
    throw usageError('E_UNKNOWN_ARTIFACT', `no artifact is named "${name}" in ${store.root}${names.length ? ` (there are: ${names.join(', ')})` : ''}`, {
      hint: names.length ? `use one of: ${names.join(', ')}` : 'run `devkit build` first',
    });
  }
}

/** Who is acting, for history entries and webhooks: git identity, login user, CI identity. */
export async function actor(ctx: ProjectContext): Promise<{ git: string | null; user: string | null; ci: string | null }> {
  // One git process for both keys: promote and rollback are meant to take milliseconds.
  // node:child_process directly (not runCommand/execa, whose loading alone costs tens of ms).
  const out = await new Promise<string>((resolve) =>
    execFile('git', ['config', '--get-regexp', '^user\\.(name|email)$'], { cwd: ctx.root }, (_error, stdout) => resolve(String(stdout ?? ''))),
  );
  // --get-regexp lists every level (system, global, local); the last one is git's answer.
  const value = (key: string) => [...out.matchAll(new RegExp(`^user\\.${key} (.*)$`, 'gm'))].at(-1)?.[1]?.trim() ?? '';
  const [name, email] = [value('name'), value('email')];
  const env = ctx.env;
  const ci = env.GITHUB_ACTIONS === 'true' ? `github:${env.GITHUB_ACTOR ?? '?'}@${env.GITHUB_REPOSITORY ?? '?'}#${env.GITHUB_RUN_ID ?? '?'}` : env.GITLAB_CI === 'true' ? `gitlab:${env.GITLAB_USER_LOGIN ?? '?'}#${env.CI_PIPELINE_ID ?? '?'}` : null; // a bare CI=true names no one: git's identity or the login user says more
  return { git: name || email ? `${name}${email ? ` <${email}>` : ''}` : null, user: env.USER ?? env.LOGNAME ?? null, ci };
}

export function actorLabel(who: { git: string | null; user: string | null; ci: string | null }): string {
  return who.ci ?? who.git ?? who.user ?? 'unknown';
}

/** Sends webhooks for an event; failures become notices, never errors. */
export async function notifyEvent(ctx: ProjectContext, io: HandlerIO, event: Omit<DevkitEvent, 'source'>): Promise<WebhookResult[]> {
  const hooks = ctx.config.notify?.webhooks ?? [];
  if (hooks.length === 0) return [];
  const budget = Number(ctx.env.DEVKIT_WEBHOOK_BUDGET_MS ?? 5000);
  const results = await sendWebhooks(hooks, { ...event, source: `devkit://${basename(ctx.root)}` }, { env: ctx.env, budgetMs: Number.isFinite(budget) && budget > 0 ? budget : 5000 });
  for (const r of results) if (!r.ok) io.notice(`webhook ${redactUrlCredentials(r.url)} failed after ${r.attempts} attempt(s): ${r.error}`);
  return results;
}

/** The commit an artifact was built from (its build record), when the store has it. */
export async function commitOf(store: OciStore, digest: string | null): Promise<string | null> {
  if (!digest) return null;
  try {
    const manifest = await readManifest(store, digest as Digest);
    return (await store.readJson<{ commit?: string }>(manifest.config.digest)).commit ?? null;
  } catch {
    return null;
  }
}

/**
 * Moves `<name>:<env>` for promote or rollback, then tells the webhooks of the move with the
 * commits on both sides. A no-op move (already there) notifies nobody.
 */
export async function moveAndNotify(
  ctx: ProjectContext,
  io: HandlerIO,
  store: OciStore,
  backend: EnvironmentBackend,
  move: Omit<PointerMove, 'devkitVersion' | 'now'>,
  started: number,
): Promise<{ result: PointerMoveResult; webhooks: WebhookResult[] }> {
  const result = await movePointer(backend, { ...move, devkitVersion: devkitVersion(), now: () => new Date() });
  if (result.noop) return { result, webhooks: [] };
  const webhooks = await notifyEvent(ctx, io, {
    kind: move.action, outcome: 'success', name: move.name, environment: move.env, from: result.from, to: move.to,
    commits: { from: await commitOf(store, result.from), to: await commitOf(store, move.to) }, actor: actorLabel(move.who), durationMs: performance.now() - started,
  });
  return { result, webhooks };
}

/** Tells the webhooks that a promote or rollback failed, and why. */
export async function notifyMoveFailure(
  ctx: ProjectContext,
  io: HandlerIO,
  failed: { kind: PointerMove['action']; name: string; env: string; to: string | null; who: PointerMove['who']; started: number },
  error: unknown,
): Promise<void> {
  await notifyEvent(ctx, io, {
    kind: failed.kind, outcome: 'failure', name: failed.name, environment: failed.env, from: null, to: failed.to, commits: { from: null, to: null },
    actor: actorLabel(failed.who), durationMs: performance.now() - failed.started, error: (error as Error).message,
  });
}
