import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServiceKind, ServicesConfig } from '@devkit/config';
import { usageError } from '@devkit/core';

/** The compose files `docker compose` reads, in its order of preference. */
export const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;

/** A compose service devkit runs natively, and where it came from. */
export interface MigratedService {
  /** The compose service's name (`db`). */
  from: string;
  kind: ServiceKind;
  image: string;
  version: string;
  /** `host:container` ports compose published; devkit chooses its own. */
  ports: string[];
}

/** A compose service devkit does not run, and why. */
export interface SkippedService {
  from: string;
  image: string | undefined;
  reason: string;
}

export interface ComposeInference {
  /** The compose file read, relative to the root; undefined when there is none. */
  file: string | undefined;
  services: ServicesConfig;
  migrated: MigratedService[];
  notMigrated: SkippedService[];
  notes: string[];
}

/**
 * Images devkit's native runners stand in for. A name matches with or without a registry host
 * and `library/`; the tag decides the version.
 */
const IMAGE_KINDS: ReadonlyArray<{ kind: ServiceKind; names: readonly string[]; digits: 1 | 2 }> = [
  { kind: 'postgres', names: ['postgres', 'bitnami/postgresql'], digits: 1 },
  { kind: 'redis', names: ['redis', 'bitnami/redis'], digits: 1 },
  // memcached's releases are all 1.x: the minor is what production differs by.
  { kind: 'memcached', names: ['memcached', 'bitnami/memcached'], digits: 2 },
  { kind: 'registry', names: ['registry', 'distribution/distribution'], digits: 1 },
];

interface ParsedImage {
  /** Repository path without registry host or `library/`: `postgres`, `bitnami/redis`. */
  repository: string;
  tag: string | undefined;
}

/** `docker.io/library/postgres:15.4-alpine@sha256:…` → { repository: 'postgres', tag: '15.4-alpine' }. */
export function parseImage(image: string): ParsedImage {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
  let repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const parts = repository.split('/');
  // A first part with a dot, a colon or `localhost` is a registry host (docker's own rule).
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) parts.shift();
  if (parts[0] === 'library') parts.shift();
  repository = parts.join('/');
  return { repository, tag };
}

/**
 * The version devkit.json's services schema takes from an image tag: `15.4-alpine` → "15"
 * (postgres, redis, registry: the major), `1.6.21` → "1.6" (memcached), postgres `9.6.24` →
 * "9.6" (before 10 the major was two numbers). Undefined when the tag names no version.
 */
export function versionFromTag(kind: ServiceKind, tag: string | undefined): string | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?/.exec(tag ?? '');
  if (!match) return undefined;
  const major = match[1]!;
  const minor = match[2];
  const twoPart = IMAGE_KINDS.find((k) => k.kind === kind)?.digits === 2 || (kind === 'postgres' && Number(major) < 10);
  if (!twoPart) return major;
  return minor === undefined ? undefined : `${major}.${minor}`;
}

/** Reads a `.env` file as compose does for interpolation: KEY=VALUE lines, optional quotes. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    values[match[1]!] = value;
  }
  return values;
}

/**
 * Compose's interpolation: `${VAR}`, `$VAR`, `${VAR:-default}` (unset or empty), `${VAR-default}`
 * (unset), `${VAR:?err}`/`${VAR?err}` (taken as unset), `$$` for a literal `$`. Values come from
 * the project's `.env` only: what a developer's shell exports is not the repo's configuration.
 */
export function interpolate(text: string, vars: Readonly<Record<string, string>>, unresolved: Set<string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      whole,
      braced: string | undefined,
      op: string | undefined,
      fallback: string | undefined,
      bare: string | undefined,
    ) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare)!;
      const value = vars[name];
      if (op === ':-')
        return value === undefined || value === '' ? interpolate(fallback ?? '', vars, unresolved) : value;
      if (op === '-') return value === undefined ? interpolate(fallback ?? '', vars, unresolved) : value;
      if (value === undefined) unresolved.add(name);
      return value ?? '';
    },
  );
}

/** A compose `environment:` as a map, whichever form it is written in. */
function environmentOf(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq > 0) env[text.slice(0, eq)] = text.slice(eq + 1);
    }
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>))
      if (v !== null && v !== undefined) env[key] = String(v);
  }
  return env;
}

/** Published ports as `host:container` (`5433:5432`), from the short or the long syntax. */
function publishedPorts(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const ports: string[] = [];
  for (const item of value) {
    if (item && typeof item === 'object') {
      const long = item as { published?: unknown; target?: unknown };
      if (long.published !== undefined) ports.push(`${String(long.published)}:${String(long.target)}`);
      continue;
    }
    const text = String(item).replace(/\/(tcp|udp)$/, '');
    const parts = text.split(':');
    // `5432` alone publishes on a random host port; `ip:host:container` keeps the last two.
    if (parts.length >= 2) ports.push(parts.slice(-2).join(':'));
  }
  return ports;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Pure: what a parsed compose document gives devkit.json's `services`. */
export function servicesFromCompose(
  file: string,
  doc: unknown,
  dotenv: Readonly<Record<string, string>>,
): ComposeInference {
  const result: ComposeInference = { file, services: {}, migrated: [], notMigrated: [], notes: [] };
  const services = (doc as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object') {
    result.notes.push(`${file} has no services`);
    return result;
  }
  const unresolved = new Set<string>();
  const expand = (text: string) => interpolate(text, dotenv, unresolved);
  for (const [name, raw] of Object.entries(services as Record<string, unknown>)) {
    const service = (raw ?? {}) as { image?: unknown; build?: unknown; environment?: unknown; ports?: unknown };
    const image = typeof service.image === 'string' ? expand(service.image) : undefined;
    if (!image) {
      result.notMigrated.push({
        from: name,
        image: undefined,
        reason: service.build ? 'built from a Dockerfile: devkit runs only the services it knows natively' : 'no image',
      });
      continue;
    }
    const parsed = parseImage(image);
    const known = IMAGE_KINDS.find((k) => k.names.includes(parsed.repository));
    if (!known) {
      result.notMigrated.push({
        from: name,
        image,
        reason: `devkit runs postgres, redis, memcached and registry natively; ${parsed.repository} is none of them: keep running it with docker compose`,
      });
      continue;
    }
    const version = versionFromTag(known.kind, parsed.tag);
    if (version === undefined) {
      result.notMigrated.push({
        from: name,
        image,
        reason: `the tag ${JSON.stringify(parsed.tag ?? 'latest')} names no version: add services.${known.kind}.version (production's ${known.digits === 2 ? 'major.minor' : 'major'}) to devkit.json`,
      });
      continue;
    }
    const existing = result.services[known.kind];
    if (existing && existing.version !== version) {
      result.notMigrated.push({
        from: name,
        image,
        reason: `devkit runs one ${known.kind} per checkout, already ${existing.version} from ${result.migrated.find((m) => m.kind === known.kind)?.from}`,
      });
      continue;
    }
    const env = Object.fromEntries(Object.entries(environmentOf(service.environment)).map(([k, v]) => [k, expand(v)]));
    const ports = publishedPorts(service.ports).map(expand);
    result.migrated.push({ from: name, kind: known.kind, image, version, ports });
    const entry: Record<string, unknown> = { ...existing, version };
    if (known.kind === 'postgres') {
      const db = env.POSTGRES_DB ?? env.POSTGRESQL_DATABASE;
      if (db !== undefined && db !== '') {
        if (IDENTIFIER.test(db)) {
          const databases = new Set([...((entry.databases as string[] | undefined) ?? []), db]);
          entry.databases = [...databases];
        } else {
          result.notes.push(
            `${file} services.${name}: database ${JSON.stringify(db)} is not a plain SQL identifier; devkit.json services.postgres.databases takes only those: create it in a setup command`,
          );
        }
      }
      const user = env.POSTGRES_USER ?? env.POSTGRESQL_USERNAME;
      const secret = env.POSTGRES_PASSWORD ?? env.POSTGRESQL_PASSWORD;
      if (user !== undefined || secret !== undefined) {
        result.notes.push(
          `${file} services.${name}: ${[user !== undefined ? `user ${JSON.stringify(user)}` : '', secret !== undefined ? 'a password (not shown)' : ''].filter(Boolean).join(' and ')} noted; devkit's postgres listens on loopback only and takes user "postgres" without a password: read DATABASE_URL from \`devkit env\``,
        );
      }
    }
    if (
      (known.kind === 'redis' || known.kind === 'registry') &&
      Object.keys(env).some((k) => /PASSWORD|AUTH/.test(k))
    ) {
      result.notes.push(
        `${file} services.${name}: its password setting is not carried over; devkit's ${known.kind} listens on loopback only without one`,
      );
    }
    (result.services as Record<string, unknown>)[known.kind] = entry;
  }
  if (unresolved.size > 0) {
    result.notes.push(
      `${file}: ${[...unresolved].sort().join(', ')} ${unresolved.size === 1 ? 'has' : 'have'} no value in .env and no default; read as empty`,
    );
  }
  return result;
}

/** Reads the repo's compose file (the first of COMPOSE_FILES) and infers devkit.json's services. */
export async function inferServices(root: string): Promise<ComposeInference> {
  for (const file of COMPOSE_FILES) {
    let text: string;
    try {
      text = await readFile(join(root, file), 'utf8');
    } catch {
      continue;
    }
    const { load } = await import('js-yaml');
    let doc: unknown;
    try {
      doc = load(text);
    } catch (error) {
      throw usageError('E_COMPOSE_INVALID', `${file} is not valid YAML: ${(error as Error).message}`, {
        hint: `fix ${file} (docker compose config shows the problem), then run devkit init again`,
        cause: error,
      });
    }
    const dotenv = parseDotenv(await readFile(join(root, '.env'), 'utf8').catch(() => ''));
    return servicesFromCompose(file, doc, dotenv);
  }
  const others = await otherComposeFiles(root);
  const notes = others.length
    ? [
        `${others.join(', ')} not read: devkit init reads services from ${COMPOSE_FILES.join(', ')} at the root only; declare the postgres, redis or memcached ${others.length === 1 ? 'it runs' : 'they run'} in devkit.json services by hand (e.g. "services": { "postgres": { "version": "16", "databases": ["app"] } })`,
      ]
    : [];
  return { file: undefined, services: {}, migrated: [], notMigrated: [], notes };
}

/** Compose files under other names (`docker-compose.dev.yml`) or in `docker/`, which init does not read. */
async function otherComposeFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of ['', 'docker']) {
    const names = await readdir(join(root, dir)).catch(() => [] as string[]);
    for (const name of names.sort())
      if (/^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$/.test(name)) found.push(dir ? `${dir}/${name}` : name);
  }
  return found;
}
