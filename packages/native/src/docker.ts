import { createRequire, Module } from 'node:module';
import type Docker from 'dockerode';
import { machineError, type DevkitError } from '@devkit/core';

const require = createRequire(import.meta.url);

interface ModuleLoader {
  _load(request: string, parent: { filename?: string } | undefined, isMain: boolean): unknown;
}

let dockerode: typeof Docker | undefined;

/**
 * Loads dockerode with its two heaviest modules deferred: the SSH transport (ssh2, for
 * ssh:// DOCKER_HOSTs) and the BuildKit session (gRPC) are 220 ms of the 320 ms it takes to
 * load, and most runs use neither. Both are single functions, so each is replaced by one that
 * loads the real module on its first call. Everything else loads as usual.
 */
function loadDockerode(): typeof Docker {
  if (dockerode) return dockerode;
  const loader = Module as unknown as ModuleLoader;
  const original = loader._load;
  loader._load = function (request, parent, isMain) {
    const from = parent?.filename ?? '';
    if (
      (request === './ssh' && from.includes('docker-modem')) ||
      (request === './session' && from.includes('dockerode'))
    ) {
      let real: ((...args: unknown[]) => unknown) | undefined;
      return (...args: unknown[]) =>
        (real ??= original.call(loader, request, parent, isMain) as (...a: unknown[]) => unknown)(...args);
    }
    return original.call(loader, request, parent, isMain);
  };
  try {
    dockerode = require('dockerode') as typeof Docker;
  } finally {
    loader._load = original;
  }
  return dockerode;
}

/** The Docker Engine API client devkit uses: a local socket, or `DOCKER_HOST` (tcp://, unix://). */
export type DockerClient = Docker;

/** How to get an engine on this kind of machine; printed whenever none answers. */
export const START_ENGINE_HINT =
  'start a Docker engine: `sudo apt-get install docker.io && sudo dockerd --bridge=none --iptables=false &` (or `bash tools/system/30-docker.sh`), or point DOCKER_HOST at a remote engine';

/** A client for the engine named by the environment (DOCKER_HOST), else the local socket. */
export function createDockerClient(env: NodeJS.ProcessEnv): DockerClient {
  const Docker = loadDockerode();
  const host = env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: '/var/run/docker.sock' });
  const url = new URL(host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  return new Docker({
    host: url.hostname,
    port: Number(url.port || 2375),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
  });
}

/** The exit-3 error for an engine that does not answer. */
export function noEngineError(env: NodeJS.ProcessEnv, cause: unknown): DevkitError {
  const where = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return machineError('E_NATIVE_NO_DOCKER', `no Docker engine answers at ${where}`, { hint: START_ENGINE_HINT, cause });
}

/** True for the errors a missing or unreachable engine gives (no socket, refused, timed out). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    ['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EACCES', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE'].includes(code)
  );
}

/** Fails with exit 3 and the way to start one when no engine answers. */
export async function ensureEngine(docker: DockerClient, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    throw noEngineError(env, error);
  }
}
