import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { machineError, usageError } from '@devkit/core';

/** A minimal RESP connection: enough for SET NX PX and a compare-and-delete script. */
class RespConnection {
  private buffer = Buffer.alloc(0);
  private waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    socket.on('error', (error) => this.failAll(error));
    socket.on('close', () => this.failAll(new Error('connection closed')));
  }

  static open(url: string): Promise<RespConnection> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'redis:') throw usageError('E_LOCK_URL', `"${url}" is not a redis:// URL`, { hint: 'environments.<env>.lock.redis takes redis://host:port[/db]' });
    return new Promise((resolve, reject) => {
      const socket = connect({ host: parsed.hostname, port: Number(parsed.port || 6379) });
      socket.once('connect', async () => {
        const conn = new RespConnection(socket);
        try {
          if (parsed.password) await conn.command(parsed.username ? ['AUTH', decodeURIComponent(parsed.username), decodeURIComponent(parsed.password)] : ['AUTH', decodeURIComponent(parsed.password)]);
          const db = parsed.pathname.replace('/', '');
          if (db) await conn.command(['SELECT', db]);
          resolve(conn);
        } catch (error) {
          socket.destroy();
          reject(error);
        }
      });
      socket.once('error', (error: NodeJS.ErrnoException) =>
        reject(machineError('E_LOCK_UNREACHABLE', `the promotion lock server ${parsed.host} does not answer (${error.code ?? error.message})`, { hint: 'start it (`devkit up redis`) or fix environments.<env>.lock.redis' })),
      );
    });
  }

  command(args: readonly string[]): Promise<unknown> {
    const payload = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(payload);
    });
  }

  close(): void {
    this.socket.end();
  }

  private failAll(error: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(error);
  }

  private drain(): void {
    for (;;) {
      const parsed = parseReply(this.buffer, 0);
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.end);
      const waiter = this.waiting.shift();
      if (!waiter) continue;
      if (parsed.value instanceof Error) waiter.reject(parsed.value);
      else waiter.resolve(parsed.value);
    }
  }
}

function parseReply(buf: Buffer, at: number): { value: unknown; end: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol === -1) return undefined;
  const type = String.fromCharCode(buf[at]!);
  const line = buf.subarray(at + 1, eol).toString();
  if (type === '+') return { value: line, end: eol + 2 };
  if (type === '-') return { value: new Error(line), end: eol + 2 };
  if (type === ':') return { value: Number(line), end: eol + 2 };
  if (type === '$') {
    const len = Number(line);
    if (len === -1) return { value: null, end: eol + 2 };
    if (buf.length < eol + 2 + len + 2) return undefined;
    return { value: buf.subarray(eol + 2, eol + 2 + len).toString(), end: eol + 2 + len + 2 };
  }
  if (type === '*') {
    const n = Number(line);
    const items: unknown[] = [];
    let pos = eol + 2;
    for (let i = 0; i < n; i++) {
      const item = parseReply(buf, pos);
      if (!item) return undefined;
      items.push(item.value);
      pos = item.end;
    }
    return { value: items, end: pos };
  }
  return { value: new Error(`unexpected reply ${type}`), end: eol + 2 };
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Serialises promotes of one name/environment across machines with a Redis lock: SET NX PX
 * with a random token, released only by its holder (compare-and-delete). The TTL (60 s)
 * frees the lock of a holder that died; promotes hold it for well under a second, since
 * blob copies happen before it is taken. Not a fencing lock: a holder paused past the TTL
 * (a frozen VM) could overlap the next one.
 */
export async function withRedisLock<T>(url: string, key: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const conn = await RespConnection.open(url);
  const token = randomBytes(16).toString('hex');
  try {
    const deadline = Date.now() + timeoutMs;
    let delay = 5;
    while ((await conn.command(['SET', key, token, 'NX', 'PX', '60000'])) !== 'OK') {
      if (Date.now() > deadline) throw machineError('E_STORE_LOCKED', `the promotion lock ${key} on ${new URL(url).host} is still held after ${timeoutMs / 1000} s`, { hint: 'another promote is running; retry when it is done' });
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
    try {
      return await fn();
    } finally {
      await conn.command(['EVAL', RELEASE, '1', key, token]);
    }
  } finally {
    conn.close();
  }
}
