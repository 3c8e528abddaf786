import { randomBytes } from 'node:crypto';
import { machineError, usageError } from '@devkit/core';

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
export async function withRedisLock<T>(url: string, key: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    throw usageError('E_LOCK_URL', `"${url.replace(/:[^:@/]*@/, ':***@')}" is not a redis:// URL`, { hint: 'environments.<env>.lock.redis takes redis://[user:password@]host:port[/db]' });
  }
  const { createClient } = await import('@redis/client');
  // No reconnecting behind our back: a lost connection fails the promote instead of hanging it.
  const client = createClient({ url, socket: { connectTimeout: 10_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw machineError('E_LOCK_UNREACHABLE', `the promotion lock server ${parsed.host} does not answer (${reason})`, { hint: 'start it (`devkit up redis`) or fix environments.<env>.lock.redis' });
  }
  const token = randomBytes(16).toString('hex');
  try {
    const deadline = Date.now() + timeoutMs;
    let delay = 5;
    while ((await client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: TTL_MS } })) !== 'OK') {
      if (Date.now() > deadline) throw machineError('E_STORE_LOCKED', `the promotion lock ${key} on ${parsed.host} is still held after ${timeoutMs / 1000} s`, { hint: 'another promote is running; retry when it is done' });
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
