import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@devkit/core';

/** Credentials for one registry host; never logged (see redaction in the client). */
export type RegistryCredentials =
  { kind: 'basic'; username: string; password: string } | { kind: 'token'; token: string } | { kind: 'none' };

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/**
 * Finds credentials for `host` (host[:port]): DEVKIT_REGISTRY_USERNAME/DEVKIT_REGISTRY_PASSWORD
 * or DEVKIT_REGISTRY_TOKEN first, then the Docker config (`$DOCKER_CONFIG/config.json` or
 * `~/.docker/config.json`): a credential helper for the host, `auths` entries, the default
 * credsStore.
 */
export async function findCredentials(host: string, env: NodeJS.ProcessEnv): Promise<RegistryCredentials> {
  if (env.DEVKIT_REGISTRY_TOKEN) return { kind: 'token', token: env.DEVKIT_REGISTRY_TOKEN };
  if (env.DEVKIT_REGISTRY_USERNAME && env.DEVKIT_REGISTRY_PASSWORD !== undefined) {
    return { kind: 'basic', username: env.DEVKIT_REGISTRY_USERNAME, password: env.DEVKIT_REGISTRY_PASSWORD };
  }
  const file = join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
  let config: DockerConfig;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as DockerConfig;
  } catch {
    return { kind: 'none' };
  }
  const helper = config.credHelpers?.[host];
  if (helper) return fromHelper(helper, host);
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (key.replace(/^https?:\/\//, '').replace(/\/.*$/, '') !== host) continue;
    if (entry.identitytoken) return { kind: 'token', token: entry.identitytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username && entry.password !== undefined)
      return { kind: 'basic', username: entry.username, password: entry.password };
  }
  if (config.credsStore) return fromHelper(config.credsStore, host);
  return { kind: 'none' };
}

async function fromHelper(helper: string, host: string): Promise<RegistryCredentials> {
  try {
    const { stdout } = await runCommand(`docker-credential-${helper}`, ['get'], {
      cwd: process.cwd(),
      input: host,
      timeoutMs: 10_000,
    });
    const parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
    if (!parsed.Secret) return { kind: 'none' };
    return parsed.Username === '<token>'
      ? { kind: 'token', token: parsed.Secret }
      : { kind: 'basic', username: parsed.Username ?? '', password: parsed.Secret };
  } catch {
    return { kind: 'none' };
  }
}

/** The secrets in credentials, for redaction. */
export function secretsOf(credentials: RegistryCredentials): string[] {
  if (credentials.kind === 'basic')
    return [
      credentials.password,
      Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'),
    ].filter(Boolean);
  if (credentials.kind === 'token') return [credentials.token];
  return [];
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (or Basic). */
export function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

/**
 * The scopes to ask a token service for: ours (`repository:api:pull,push`, space-separated when
 * several) joined with the ones the registry's challenge names. A resource named by both gets
 * the union of the actions, ours first, so the request does not depend on the order the
 * registry happened to list actions in, and never asks for less than the registry wants.
 */
export function mergeScopes(ours: string, challenged: string | undefined): string[] {
  const merged = new Map<string, string[]>();
  for (const scope of `${ours} ${challenged ?? ''}`.split(' ').filter(Boolean)) {
    const cut = scope.lastIndexOf(':');
    const resource = cut > 0 ? scope.slice(0, cut) : scope;
    const actions = merged.get(resource) ?? [];
    for (const action of cut > 0 ? scope.slice(cut + 1).split(',') : [])
      if (action && !actions.includes(action)) actions.push(action);
    merged.set(resource, actions);
  }
  return [...merged].map(([resource, actions]) => (actions.length ? `${resource}:${actions.join(',')}` : resource));
}
