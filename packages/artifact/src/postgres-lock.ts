import { createHash } from 'node:crypto';
import { machineError, usageError } from '@devkit/core';

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
export async function withPostgresLock<T>(url: string, key: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw usageError('E_LOCK_URL', `"${url.replace(/:[^:@/]*@/, ':***@')}" is not a postgres:// URL`, { hint: 'environments.<env>.lock.postgres takes postgres://user[:password]@host:port/database' });
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, application_name: `devkit promote (pid ${process.pid})`, connectionTimeoutMillis: 10_000, keepAlive: true });
  // A dropped connection surfaces on the next query; this only keeps it from crashing the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw machineError('E_LOCK_UNREACHABLE', `the promotion lock server ${parsed.host} does not answer (${reason})`, { hint: 'start it (`devkit up postgres`) or fix environments.<env>.lock.postgres' });
  }
  try {
    const id = advisoryLockId(key).toString();
    try {
      // lock_timeout bounds the wait for an advisory lock like any other lock wait.
      await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
      await client.query('SELECT pg_advisory_lock($1::bigint)', [id]);
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03') throw error;
      const holder = await lockHolder(url, id).catch(() => undefined);
      const who = holder ? ` by server pid ${holder.pid}${holder.application ? ` (${holder.application})` : ''}${holder.client ? ` from ${holder.client}` : ''}${holder.since ? ` since ${holder.since.toISOString()}` : ''}` : '';
      throw machineError('E_STORE_LOCKED', `the promotion lock ${key} on ${parsed.host} is still held${who} after ${timeoutMs / 1000} s`, { hint: 'another promote is running; retry when it is done' });
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
async function lockHolder(url: string, id: string): Promise<Holder | undefined> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; client: string | null; application: string | null; since: Date | null }>(
      `SELECT a.pid, host(a.client_addr) AS client, nullif(a.application_name, '') AS application, a.backend_start AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.classid::bigint = (($1::bigint >> 32) & 4294967295) AND l.objid::bigint = ($1::bigint & 4294967295)`,
      [id],
    );
    return rows[0];
  } finally {
    await client.end().catch(() => undefined);
  }
}
