import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { machineError } from './errors.js';
import { redactUrlCredentials } from './redact.js';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** Where packages come from, as npm and pnpm would fetch them for this repo. */
export interface NpmRegistry {
  /** The registry URL for `name`, ending in `/`. */
  urlFor(name: string): string;
  /** The Authorization header for a URL on a registry the .npmrc files hold a token for. */
  authFor(url: string): string | undefined;
}

function readNpmrc(path: string): Map<string, string> {
  const settings = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return settings;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    settings.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return settings;
}

/** npm's `${VAR}` expansion in .npmrc values. */
function expand(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? '');
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * The registry npm would use in `root`: `npm_config_registry` from the environment, else
 * `registry=` of the repo's .npmrc, else of the user's ~/.npmrc, else registry.npmjs.org.
 * A scope's own registry (`@pnpm:registry=`) applies to its packages; `//host/:_authToken`
 * lines give the token sent to that host.
 */
export function npmRegistry(root: string, env: NodeJS.ProcessEnv): NpmRegistry {
  const user = readNpmrc(join(env.HOME || homedir(), '.npmrc'));
  const project = readNpmrc(join(root, '.npmrc'));
  const setting = (key: string): string | undefined => {
    const fromEnv = env[`npm_config_${key}`] ?? env[`NPM_CONFIG_${key.toUpperCase()}`];
    if (fromEnv) return fromEnv;
    const value = project.get(key) ?? user.get(key);
    return value === undefined ? undefined : expand(value, env);
  };
  const base = withSlash(setting('registry') || DEFAULT_REGISTRY);
  return {
    urlFor(name) {
      const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
      const scoped = scope ? setting(`${scope}:registry`) : undefined;
      return scoped ? withSlash(scoped) : base;
    },
    authFor(url) {
      const { host, pathname } = new URL(url);
      // The longest `//host/path/:_authToken` that prefixes the URL, as npm matches them.
      let best: { length: number; token: string } | undefined;
      for (const settings of [user, project]) {
        for (const [key, value] of settings) {
          const match = /^\/\/(.+?)\/?:_authToken$/.exec(key);
          if (!match?.[1]) continue;
          const prefix = `${match[1]}/`;
          if (!`${host}${pathname}`.startsWith(prefix)) continue;
          if (!best || prefix.length >= best.length) best = { length: prefix.length, token: expand(value, env) };
        }
      }
      return best?.token ? `Bearer ${best.token}` : undefined;
    },
  };
}

/** One published version as the abbreviated packument lists it. */
export interface PublishedVersion {
  version: string;
  dist: { integrity?: string; tarball: string; shasum?: string };
  engines?: Record<string, string>;
  bin?: Record<string, string> | string;
}

export interface Packument {
  name: string;
  /** The registry URL it was read from (credentials removed), for messages. */
  registry: string;
  versions: Record<string, PublishedVersion>;
}

/** The URL of a package's document: scoped names keep their `@` and encode the slash. */
function packumentUrl(registry: string, name: string): string {
  return `${registry}${name.replace('/', '%2f')}`;
}

/** Why a request did not get an answer: the system error's code when there is one. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Fetches a package's abbreviated packument (the `application/vnd.npm.install-v1+json`
 * document npm and pnpm install from). A registry that does not answer is exit 3, naming it.
 */
export async function fetchPackument(
  registry: NpmRegistry,
  name: string,
  options: {
    signal?: AbortSignal | undefined;
    what: string;
    /** Where it was looked for first, for the message (default: the toolchain cache). */
    cache?: string | undefined;
    /** The command that tries again (default: devkit bootstrap). */
    rerun?: string | undefined;
  },
): Promise<Packument> {
  const rerun = options.rerun ?? 'devkit bootstrap';
  const base = registry.urlFor(name);
  const url = packumentUrl(base, name);
  const shown = redactUrlCredentials(base);
  let response: Response;
  try {
    const authorization = registry.authFor(url);
    response = await fetch(url, {
      headers: {
        accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8',
        ...(authorization ? { authorization } : {}),
      },
      signal: options.signal ?? AbortSignal.timeout(60_000),
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw machineError(
      'E_REGISTRY_UNREACHABLE',
      `${options.what} is not in the ${options.cache ?? 'toolchain cache'} and the registry ${shown} does not answer (${reasonOf(error)})`,
      {
        cause: error,
        hint: `connect to the network, or point npm_config_registry (or registry= in .npmrc) at a reachable mirror, then run \`${rerun}\` again`,
      },
    );
  }
  if (response.status === 404)
    throw machineError('E_TOOLCHAIN_UNPUBLISHED', `${name} is not published on ${shown} (needed for ${options.what})`, {
      hint: `check the registry setting in .npmrc (npm_config_registry); devkit fetches ${name} from it`,
    });
  if (!response.ok)
    throw machineError(
      'E_REGISTRY_UNREACHABLE',
      `the registry ${shown} answered ${response.status} ${response.statusText} for ${name} (needed for ${options.what})`,
      { hint: `check the registry setting and its credentials in .npmrc, then run \`${rerun}\` again` },
    );
  const document = (await response.json()) as { name?: string; versions?: Record<string, PublishedVersion> };
  return { name, registry: shown, versions: document.versions ?? {} };
}
