import { statSync } from 'node:fs';
import { machineError, withFileLock } from '@devkit/core';

export interface StoreLockOptions {
  /** What the lock guards, for the error message. */
  what: string;
  /** How long to wait for a live holder (60 s by default). */
  timeoutMs?: number;
}

/**
 * Runs `fn` holding an exclusive lock file of the store (index.json, or one promotion) — core's
 * `withFileLock`: a lock left by a dead process on this host is taken over under a breaker lock;
 * a live holder is waited for (60 s by default), then reported with its pid, host and since when.
 */
export function withStoreLock<T>(path: string, options: StoreLockOptions, fn: () => Promise<T>): Promise<T> {
  return withFileLock(
    path,
    {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      timeoutError: ({ pid, host }) => {
        // The lock file's age is when its holder took it.
        const since = statSync(path, { throwIfNoEntry: false })?.mtime.toISOString();
        return machineError(
          'E_STORE_LOCKED',
          `${options.what} is locked by pid ${pid ?? '?'} on ${host ?? '?'} since ${since ?? '?'}`,
          {
            hint: `wait for that process to finish, or remove ${path} if it is gone`,
          },
        );
      },
    },
    fn,
  );
}
