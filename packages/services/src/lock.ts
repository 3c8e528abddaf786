import { findingError, withFileLock } from '@devkit/core';

/**
 * Runs `work` holding a per-service lock file (`<service dir>/lock`), so two devkit commands in
 * one checkout — a `bootstrap` and an `up` in another terminal, test files in parallel — never
 * start the same service twice. A lock whose holder is gone (a kill -9, a reboot) is stale and
 * taken over; a live holder is waited for up to `timeoutMs`, then the wait ends with exit 1.
 */
export function withLock<T>(path: string, what: string, work: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  return withFileLock(
    path,
    {
      timeoutMs,
      timeoutError: ({ pid }) =>
        findingError(
          'E_SERVICE_BUSY',
          `${what} is being changed by another devkit (pid ${pid ?? '?'}) for more than ${Math.round(timeoutMs / 1000)} s`,
          {
            hint:
              pid === undefined
                ? `wait for it, or remove ${path} if no devkit is running`
                : `wait for it, or stop it (kill ${pid})`,
          },
        ),
    },
    work,
  );
}

/** Holds the locks of several services (always taken in the order given) while `work` runs. */
export async function withLocks<T>(
  locks: ReadonlyArray<{ path: string; what: string }>,
  work: () => Promise<T>,
): Promise<T> {
  const [first, ...rest] = locks;
  if (!first) return work();
  return withLock(first.path, first.what, () => withLocks(rest, work));
}
