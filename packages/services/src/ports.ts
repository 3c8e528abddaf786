import { createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { machineError } from '@devkit/core';
import { readFileIfExists, writeFileAtomic } from '@devkit/core';
import { LOOPBACK } from './health.js';
import { findPortOwner } from './process-info.js';

/**
 * Ports are picked from 20000–29999: below the Linux ephemeral range (32768+), so an outgoing
 * connection never borrows a stored port while its service is down, and above the well-known
 * defaults (5432, 6379, 11211, 5000), which a system-wide copy may hold.
 */
const PORT_BASE = 20_000;
const PORT_SPAN = 10_000;

/** Whether the port can be bound on the loopback right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolvePromise(false));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => server.close(() => resolvePromise(true)));
  });
}

/**
 * The first port to try for a service of a checkout: derived from the checkout's path and the
 * service, so two checkouts start their search in different places and a re-created
 * `.devkit/` tends to get the same port back. Pure.
 */
export function preferredPort(root: string, name: string): number {
  const hash = createHash('sha256').update(`${root}\0${name}`).digest();
  return PORT_BASE + (hash.readUInt32BE(0) % PORT_SPAN);
}

export async function readStoredPort(file: string): Promise<number | undefined> {
  const text = await readFileIfExists(file);
  const port = Number(text?.trim());
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/**
 * The service's port: devkit.json's `port` if set, else the one stored for this checkout, else
 * a free one chosen now and stored (atomically) so it stays the same across runs.
 * `avoid` holds ports already given to this checkout's other services.
 */
export async function assignPort(options: {
  root: string;
  name: string;
  file: string;
  configured: number | undefined;
  avoid: ReadonlySet<number>;
}): Promise<number> {
  if (options.configured !== undefined) return options.configured;
  const stored = await readStoredPort(options.file);
  if (stored !== undefined) return stored;
  const start = preferredPort(options.root, options.name);
  for (let i = 0; i < PORT_SPAN; i++) {
    const port = PORT_BASE + ((start - PORT_BASE + i) % PORT_SPAN);
    if (options.avoid.has(port)) continue;
    if (await portIsFree(port)) {
      await writeFileAtomic(options.file, `${port}\n`);
      return port;
    }
  }
  throw machineError(
    'E_SERVICE_NO_PORT',
    `no free port between ${PORT_BASE} and ${PORT_BASE + PORT_SPAN - 1} on ${LOOPBACK}`,
    { hint: `set services.${options.name}.port in devkit.json` },
  );
}

/** Throws a clear error, naming the process when it can, when the service's port is taken. */
export async function ensurePortFree(name: string, port: number, source: string): Promise<void> {
  if (await portIsFree(port)) return;
  const owner = findPortOwner(port);
  const who = owner
    ? `pid ${owner.pid}${owner.command ? ` (${owner.command.length > 120 ? `${owner.command.slice(0, 117)}...` : owner.command})` : ''}`
    : 'another process (devkit could not tell which: try `ss -ltnp` or `lsof -i`)';
  throw machineError('E_SERVICE_PORT_TAKEN', `port ${port} of ${name} (${source}) is already in use by ${who}`, {
    hint: owner
      ? `stop it (kill ${owner.pid}), or give ${name} another port: set services.${name}.port in devkit.json, or delete ${source.startsWith('devkit.json') ? 'that key' : source} and run devkit up again to choose a free one`
      : `free port ${port}, or set services.${name}.port in devkit.json`,
    details: { service: name, port, owner: owner ?? null },
  });
}
