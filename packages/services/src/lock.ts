import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { findingError } from '@devkit/core';
import { processIdentity } from './process-info.js';

/**
 * Runs `work` holding a per-service lock file (`<service dir>/lock`, created exclusively), so
 * two devkit commands in one checkout — a `bootstrap` and an `up` in another terminal, test
 * files in parallel — never start the same service twice. A lock whose holder is gone (a
 * kill -9, a reboot) is stale and taken over.
 */
export async function withLock<T>(path: string, what: string, work: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const me = `${process.pid} ${processIdentity(process.pid) ?? ''}\n`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, me);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = '';
    let ageMs = 0;
    try {
      holder = readFileSync(path, 'utf8');
      ageMs = Date.now() - statSync(path).mtimeMs;
    } catch {
      continue; // released between our two calls
    }
    const [pid, id] = holder.trim().split(' ');
    // A lock without its newline is being written right now — unless it has been so for seconds.
    const complete = holder.endsWith('\n') || ageMs > 5_000;
    const holderAlive = pid !== undefined && pid !== '' && processIdentity(Number(pid)) !== undefined && (!id || processIdentity(Number(pid)) === id);
    if (complete && !holderAlive) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw findingError('E_SERVICE_BUSY', `${what} is being changed by another devkit (pid ${pid}) for more than ${Math.round(timeoutMs / 1000)} s`, { hint: `wait for it, or stop it (kill ${pid})` });
    await sleep(50);
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}

/** Holds the locks of several services (always taken in the order given) while `work` runs. */
export async function withLocks<T>(locks: ReadonlyArray<{ path: string; what: string }>, work: () => Promise<T>): Promise<T> {
  const [first, ...rest] = locks;
  if (!first) return work();
  return withLock(first.path, first.what, () => withLocks(rest, work));
}
