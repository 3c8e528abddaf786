import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processIdentity } from './process.js';

/** Who holds a lock file, as far as its content tells. */
export interface LockHolder {
  /** Undefined while the holder is still writing the file, or when it is unreadable. */
  pid: number | undefined;
  /** The holder's host; a lock of another host (a shared file system) is never taken over. */
  host: string | undefined;
}

export interface FileLockOptions {
  /** How long to wait for a live holder before giving up (default 60 s). */
  timeoutMs?: number;
  /** The longest pause between two looks at a held lock (default 50 ms; the first pauses are shorter). */
  pollMs?: number;
  /** The error thrown when the wait times out; it should name the holder and what to do. */
  timeoutError: (holder: LockHolder) => Error;
}

/**
 * Creating and filling a lock file takes microseconds; one still without its closing newline
 * after this long belongs to a writer that died in between.
 */
const UNFINISHED_GRACE_MS = 5_000;

/**
 * Runs `fn` holding an exclusive lock file (created with O_EXCL; it holds the holder's pid,
 * process identity and host). A lock whose holder has died (kill -9, a reboot, a reused pid) is
 * taken over; a live holder is waited for until `timeoutMs`, then `timeoutError` is thrown.
 *
 * Takeover is race-free: a dead holder's lock is removed only under a second, short-lived
 * breaker lock (`<path>.break`) and only after judging it again there. Only its owner or the
 * one breaker can remove a lock, so two waiters that both saw the same dead holder cannot
 * have the second remove the lock the first one has just created.
 */
export async function withFileLock<T>(path: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const mine = await acquireFileLock(path, options);
  try {
    return await fn();
  } finally {
    // Remove only our own lock: were it ever taken from us, the file is someone else's now.
    if ((await readFile(path, 'utf8').catch(() => undefined)) === mine) await rm(path, { force: true });
  }
}

async function acquireFileLock(path: string, options: FileLockOptions): Promise<string> {
  const mine = holderLine();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const pollMs = options.pollMs ?? 50;
  await mkdir(dirname(path), { recursive: true });
  let pause = 2;
  for (;;) {
    if (await createExclusive(path, mine)) return mine;
    const seen = await judge(path);
    if (seen === 'gone') continue; // released between our two looks
    if (seen.stale && (await breakStaleLock(path))) continue;
    if (Date.now() >= deadline) throw options.timeoutError(seen.holder);
    await sleep(pause);
    pause = Math.min(pause * 2, pollMs);
  }
}

/**
 * Removes the lock at `path` if, judged again while holding the breaker lock, its holder is
 * dead. Returns whether it did (the caller then tries to create its own at once).
 */
async function breakStaleLock(path: string): Promise<boolean> {
  const breaker = `${path}.break`;
  const mine = holderLine();
  if (!(await createExclusive(breaker, mine))) {
    // Another waiter is breaking it right now (microseconds). A breaker left by a process that
    // died inside that window is removed here so the lock cannot stay stuck; what remains is a
    // race between two waiters on such a dead breaker, which needs a death inside microseconds.
    const other = await judge(breaker);
    if (other !== 'gone' && other.stale) await rm(breaker, { force: true });
    return false;
  }
  try {
    const seen = await judge(path);
    if (seen === 'gone') return true;
    if (!seen.stale) return false;
    await rm(path, { force: true });
    return true;
  } finally {
    await rm(breaker, { force: true });
  }
}

/** Creates `path` exclusively with `content`; false when it exists already. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } catch (error) {
    await handle.close();
    await rm(path, { force: true });
    throw error;
  }
  await handle.close();
  return true;
}

/** The content of a lock file: pid, identity and host, tab-separated, ending in a newline. */
function holderLine(): string {
  return `${process.pid}\t${processIdentity(process.pid) ?? ''}\t${hostname()}\n`;
}

/** Reads a lock file and judges whether its holder is gone for good. */
async function judge(path: string): Promise<'gone' | { holder: LockHolder; stale: boolean }> {
  let content: string;
  let ageMs: number;
  try {
    content = await readFile(path, 'utf8');
    ageMs = Date.now() - (await stat(path)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  // Until its newline is written the content may be cut short: read nothing from it.
  if (!content.endsWith('\n'))
    return { holder: { pid: undefined, host: undefined }, stale: ageMs > UNFINISHED_GRACE_MS };
  // An older lock may hold just a pid, or "pid identity": parseInt reads the pid from both.
  const [pidText = '', id, host] = content.slice(0, -1).split('\t');
  const pid = Number.parseInt(pidText, 10);
  if (!Number.isInteger(pid) || pid <= 0)
    return { holder: { pid: undefined, host }, stale: ageMs > UNFINISHED_GRACE_MS };
  const holder = { pid, host };
  if (host && host !== hostname()) return { holder, stale: false };
  const now = processIdentity(pid);
  return { holder, stale: now === undefined || (!!id && id !== now) };
}
