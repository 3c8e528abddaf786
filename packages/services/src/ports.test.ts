import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { assignPort, ensurePortFree, portIsFree, preferredPort } from './ports.js';
import { findPortOwner, portListening } from './process-info.js';

afterAll(cleanupTempDirs);

/** A listening socket; `close()` resolves once the port is released. */
function listen(): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    const close = () =>
      new Promise<void>((closed, failed) => server.close((error) => (error ? failed(error) : closed())));
    server.listen(0, '127.0.0.1', () => resolvePromise({ port: (server.address() as { port: number }).port, close }));
  });
}

describe('ports', () => {
  it('start from a place derived from the checkout and the service', () => {
    expect(preferredPort('/a/repo', 'postgres')).toBe(preferredPort('/a/repo', 'postgres'));
    expect(preferredPort('/a/repo', 'postgres')).not.toBe(preferredPort('/b/repo', 'postgres'));
    expect(preferredPort('/a/repo', 'redis')).toBeGreaterThanOrEqual(20_000);
    expect(preferredPort('/a/repo', 'redis')).toBeLessThan(30_000);
  });

  it('are chosen once, stored, and kept; a configured port wins', async () => {
    const dir = tempDir();
    const file = join(dir, 'port');
    const first = await assignPort({ root: dir, name: 'redis', file, configured: undefined, avoid: new Set() });
    expect(readFileSync(file, 'utf8')).toBe(`${first}\n`);
    expect(await assignPort({ root: dir, name: 'redis', file, configured: undefined, avoid: new Set() })).toBe(first);
    expect(await assignPort({ root: dir, name: 'redis', file, configured: 24_444, avoid: new Set() })).toBe(24_444);
    const other = await assignPort({
      root: dir,
      name: 'redis',
      file: join(dir, 'other'),
      configured: undefined,
      avoid: new Set([first]),
    });
    expect(other).not.toBe(first);
  });

  it('in use are reported with the process holding them', async () => {
    const server = await listen();
    try {
      expect(await portIsFree(server.port)).toBe(false);
      expect(findPortOwner(server.port)?.pid).toBe(process.pid);
      expect(portListening(server.port)).toBe(process.platform === 'linux' ? true : undefined);
      await expect(ensurePortFree('redis', server.port, '.devkit/services/redis-7/port')).rejects.toMatchObject({
        code: 'E_SERVICE_PORT_TAKEN',
        exitCode: 3,
        message: expect.stringContaining(`is already in use by pid ${process.pid}`),
      });
    } finally {
      await server.close();
    }
    if (process.platform === 'linux') expect(portListening(server.port)).toBe(false);
  });
});
