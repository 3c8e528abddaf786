import { machineError, withFileLock } from '@devkit/core';

/**
 * Runs `fn` holding the lock file of one builder image. Two devkit processes making the same
 * builder image would otherwise debootstrap into the same folder at once. A lock whose holder
 * has died is taken over; a live holder is waited for (30 min by default: a debootstrap takes
 * minutes), then the wait ends with exit 3 naming its pid.
 */
export function withBuilderLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  return withFileLock(
    path,
    {
      timeoutMs: options.timeoutMs ?? 30 * 60_000,
      // The holder works for minutes; a look twice a second is plenty.
      pollMs: 500,
      timeoutError: ({ pid }) =>
        machineError('E_NATIVE_LOCKED', `timed out waiting for ${path}, held by pid ${pid ?? '?'}`, {
          hint:
            pid === undefined
              ? `wait for the devkit process that holds it to finish, then run the command again`
              : `wait for that devkit process to finish (or end it: kill ${pid}), then run the command again`,
        }),
    },
    fn,
  );
}
