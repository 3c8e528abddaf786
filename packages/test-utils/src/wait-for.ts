import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** What is waited for, as the failure names it: "the registry's upload session". */
  what: string;
  /** 30 s by default: long enough for a loaded CI machine, short of the test's own timeout. */
  timeoutMs?: number;
  /** Time between checks (20 ms by default). */
  intervalMs?: number;
  /**
   * Why the fact can no longer come (the process that should bring it exited), or a falsy
   * value. Checked before each try, so a dead wait fails at once instead of at the deadline.
   */
  failIf?: () => string | false | null | undefined;
  /** What was seen instead (output so far, a listing), added to the failure message. */
  detail?: () => string;
}

type Found<T> = Exclude<Awaited<T>, false | null | undefined | 0 | ''>;

/**
 * Resolves with the first truthy result of `check`, polled every `intervalMs`. Tests wait
 * for a fact they can observe (a log line, a file, a container, a lock holder) with this,
 * never for a fixed time; a fact that never comes fails the test naming what it waited for,
 * instead of letting it go on in the wrong state.
 */
export async function waitFor<T>(check: () => T, options: WaitForOptions): Promise<Found<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = Date.now();
  for (;;) {
    const reason = options.failIf?.();
    if (reason) throw new Error(`gave up waiting for ${options.what}: ${reason}${suffix(options)}`);
    const value = await check();
    if (value) return value as Found<T>;
    if (Date.now() - started >= timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}${suffix(options)}`);
    await sleep(options.intervalMs ?? 20);
  }
}

function suffix(options: WaitForOptions): string {
  const detail = options.detail?.();
  return detail ? `\n${detail}` : '';
}
