import { existsSync } from 'node:fs';
import { LOOPBACK, tcpExchange } from '../health.js';
import { majorOf } from '../paths.js';
import type { ServiceRunner } from '../runner.js';

export const redisRunner: ServiceRunner = {
  kind: 'redis',
  title: 'Redis',
  binaries: ['redis-server'],
  searchDirs(declared) {
    const major = majorOf(declared);
    return [
      '/opt/homebrew/bin',
      '/usr/local/bin',
      `/opt/homebrew/opt/redis@${major}/bin`,
      `/usr/local/opt/redis@${major}/bin`,
      '/home/linuxbrew/.linuxbrew/bin',
    ];
  },
  versionArgs: ['--version'],
  packages: { apt: () => 'redis-server', brew: () => 'redis', dnf: () => 'redis' },
  stopSignal: 'SIGTERM', // Redis flushes its append-only file and exits.
  graceMs: 10_000,
  isInitialised: (paths) => existsSync(paths.data),
  async init() {
    // Redis creates its files on first write; an empty folder is all it needs.
  },
  launch(instance) {
    return {
      args: [
        '--bind',
        LOOPBACK,
        '--port',
        String(instance.port),
        '--dir',
        instance.paths.data,
        '--daemonize',
        'no',
        // Every write reaches the disk before it is acknowledged: a kill -9 loses nothing.
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--unixsocket',
        `${instance.paths.runtime}/redis.sock`,
        '--unixsocketperm',
        '700',
        '--logfile',
        '',
      ],
    };
  },
  async health(port, timeoutMs) {
    const reply = await tcpExchange(port, 'PING\r\n', (r) => r.includes('\r\n'), timeoutMs);
    if (!reply.startsWith('+PONG')) throw new Error(`PING answered ${JSON.stringify(reply.trim())}`);
  },
  env: (port) => ({ REDIS_URL: `redis://${LOOPBACK}:${port}` }),
  url: (port) => `redis://${LOOPBACK}:${port}`,
};
