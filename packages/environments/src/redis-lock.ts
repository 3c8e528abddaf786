import { randomBytes } from 'node:crypto';
import { connectLockServer, lockServerUrl, lockStillHeld, type LockServerOptions } from './lock-server.js';

/** Deletes the lock only if it still holds our token: a lock that expired and was taken by another promoter is left alone. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const TTL_MS = 60_000;

/**
 * Serialises promotes of one name/environment across machines with a Redis lock: SET NX PX
 * with a random token, released only by its holder (compare-and-delete). The TTL (60 s)
 * frees the lock of a holder that died; promotes hold it for well under a second, since
 * blob copies happen before it is taken. Not a fencing lock: a holder paused past the TTL
 * (a frozen VM) could overlap the next one.
 */
export async function withRedisLock<T>(
  url: string,
  key: string,
  fn: () => Promise<T>,
  options: LockServerOptions = {},
): Promise<T> {
  const setting = options.setting ?? 'environments.<env>.lock.redis';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const server = lockServerUrl(url, ['redis:', 'rediss:'], setting, 'redis://[user:password@]host:port[/db]');
  const { createClient } = await import('@redis/client');
  // No reconnecting behind our back: a lost connection fails the promote instead of hanging it.
  const client = createClient({ url, socket: { connectTimeout: 10_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  await connectLockServer(() => client.connect(), server, setting, 'redis');
  const token = randomBytes(16).toString('hex');
  try {
    const deadline = Date.now() + timeoutMs;
    let delay = 5;
    while ((await client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: TTL_MS } })) !== 'OK') {
      if (Date.now() > deadline) throw lockStillHeld(key, server, timeoutMs);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
    try {
      return await fn();
    } finally {
      await client.eval(RELEASE, { keys: [key], arguments: [token] });
    }
  } finally {
    client.destroy();
  }
}
