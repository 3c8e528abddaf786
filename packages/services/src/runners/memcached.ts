import { existsSync } from 'node:fs';
import { LOOPBACK, tcpExchange } from '../health.js';
import type { ServiceRunner } from '../runner.js';

/** Cache size in MB: plenty for development, small enough to forget about. */
const MEMORY_MB = 64;

export const memcachedRunner: ServiceRunner = {
  kind: 'memcached',
  title: 'Memcached',
  binaries: ['memcached'],
  searchDirs: () => ['/opt/homebrew/bin', '/usr/local/bin', '/home/linuxbrew/.linuxbrew/bin'],
  versionArgs: ['-V'],
  packages: { apt: () => 'memcached', brew: () => 'memcached', dnf: () => 'memcached' },
  // Memcached is a cache, in development as in production: a restart starts it empty. (Its
  // experimental warm restart, `-e <memory file>` + SIGUSR1, rejects its own metadata in the
  // 1.6.18 Debian ships — "restart incompatible due to setting for [stop_time]" — so it is not used.)
  stopSignal: 'SIGTERM',
  graceMs: 10_000,
  isInitialised: (paths) => existsSync(paths.data),
  async init() {},
  launch(instance) {
    return {
      args: ['-l', LOOPBACK, '-p', String(instance.port), '-U', '0', '-m', String(MEMORY_MB)],
    };
  },
  async health(port, timeoutMs) {
    const reply = await tcpExchange(port, 'version\r\n', (r) => r.includes('\r\n'), timeoutMs);
    if (!reply.startsWith('VERSION ')) throw new Error(`version answered ${JSON.stringify(reply.trim())}`);
  },
  env: (port) => ({ MEMCACHED_SERVERS: `${LOOPBACK}:${port}` }),
  url: (port) => `memcached://${LOOPBACK}:${port}`,
};
