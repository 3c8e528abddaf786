import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { connectLockServer, lockServerUrl, lockStillHeld, type LockServerOptions } from './lock-server.js';

/** The 64-bit advisory-lock id of a lock name: the first 8 bytes of its SHA-256, signed. */
export function advisoryLockId(name: string): bigint {
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

interface Holder {
  pid: number;
  client: string | null;
  application: string | null;
  since: Date | null;
}

/**
 * Serialises promotes of one name/environment across machines with a PostgreSQL
 * session-level advisory lock (`pg_advisory_lock`). The server queues waiters in order, and
 * the lock lives exactly as long as its holder's connection: a holder that dies or is killed
 * releases it at once, and one that is merely slow or paused keeps it (there is no TTL to run
 * out under it, unlike the Redis lock). What it cannot rule out is a holder whose connection
 * the server drops (a network cut, a server restart) while it goes on writing.
 */
export async function withPostgresLock<T>(
  url: string,
  key: string,
  fn: () => Promise<T>,
  options: LockServerOptions = {},
): Promise<T> {
  const setting = options.setting ?? 'environments.<env>.lock.postgres';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const server = lockServerUrl(
    url,
    ['postgres:', 'postgresql:'],
    setting,
    'postgres://user[:password]@host:port/database',
  );
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: url,
    application_name: `devkit promote (pid ${process.pid})`,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  // A dropped connection surfaces on the next query; this only keeps it from crashing the process.
  client.on('error', () => undefined);
  await connectLockServer(() => client.connect(), server, setting, 'postgres');
  try {
    const id = advisoryLockId(key).toString();
    try {
      // lock_timeout bounds the wait for an advisory lock like any other lock wait.
      await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
      await client.query('SELECT pg_advisory_lock($1::bigint)', [id]);
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03') throw error;
      // The timed-out statement ended no session state: the same connection can ask who holds it.
      const holder = await lockHolder(client, id).catch(() => undefined);
      const who = holder
        ? ` by server pid ${holder.pid}${holder.application ? ` (${holder.application})` : ''}${holder.client ? ` from ${holder.client}` : ''}${holder.since ? ` since ${holder.since.toISOString()}` : ''}`
        : '';
      throw lockStillHeld(key, server, timeoutMs, who);
    }
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [id]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Who holds an advisory lock, from pg_locks (bigint ids are stored as two 32-bit halves). */
async function lockHolder(client: Client, id: string): Promise<Holder | undefined> {
  const { rows } = await client.query<Holder>(
    `SELECT a.pid, host(a.client_addr) AS client, nullif(a.application_name, '') AS application, a.backend_start AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid::bigint = (($1::bigint >> 32) & 4294967295) AND l.objid::bigint = ($1::bigint & 4294967295)`,
    [id],
  );
  return rows[0];
}
