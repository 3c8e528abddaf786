import { hostname } from 'node:os';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { machineError } from '@devkit/core';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export interface FileLockOptions {
  timeoutMs?: number;
  /** What the lock guards, for the error message. */
  what: string;
}

/**
 * Holds an exclusive lock file (created with O_EXCL) while `fn` runs. A lock left by a
 * process that died (kill -9) on this host is taken over; one held by a live process is
 * waited for, then reported with its owner.
 */
export async function withFileLock<T>(path: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let delay = 2;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(JSON.stringify(me));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    const stale = owner ? owner.host === me.host && !isAlive(owner.pid) : await emptyAndOld(path);
    if (stale && (await breakStaleLock(path, me.host))) continue;
    if (Date.now() > deadline) {
      throw machineError('E_STORE_LOCKED', `${options.what} is locked by pid ${owner?.pid ?? '?'} on ${owner?.host ?? '?'} since ${owner?.since ?? '?'}`, {
        hint: `wait for that process to finish, or remove ${path} if it is gone`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 50);
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

/**
 * Removes a lock whose owner is dead — judged again while holding `<path>.break`, so the
 * file removed is the dead owner's and never a live one created meanwhile (only the owner or
 * a breaker removes a lock, and breakers take turns). Returns whether it removed one.
 */
async function breakStaleLock(path: string, host: string): Promise<boolean> {
  const breaker = `${path}.break`;
  try {
    const handle = await open(breaker, 'wx');
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A breaker that died mid-break leaves this behind; it is held for microseconds otherwise.
    const st = await stat(breaker).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 10_000) await rm(breaker, { force: true });
    return false;
  }
  try {
    const owner = await readOwner(path);
    const stale = owner ? owner.host === host && !isAlive(owner.pid) : await emptyAndOld(path);
    if (!stale) return false;
    await rm(path, { force: true });
    return true;
  } finally {
    await rm(breaker, { force: true });
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    // Being written right now (empty) or just removed: treat as live, look again shortly.
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file its creator died before filling (killed between create and write). */
async function emptyAndOld(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    return st.size === 0 && Date.now() - st.mtimeMs > 5_000;
  } catch {
    return false;
  }
}
