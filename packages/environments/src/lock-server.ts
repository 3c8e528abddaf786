import { machineError, usageError } from '@devkit/core';

/** How a promotion lock on a server is reached and named in messages. */
export interface LockServerOptions {
  /** How long to wait for the holder (60 s by default). */
  timeoutMs?: number;
  /** The devkit.json key naming the server (`environments.production.lock.redis`). */
  setting?: string;
}

/** The server URL, or exit 2 naming the setting and the form it takes; credentials never printed. */
export function lockServerUrl(url: string, protocols: readonly string[], setting: string, form: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !protocols.includes(parsed.protocol)) {
    throw usageError(
      'E_LOCK_URL',
      `${setting} in devkit.json: "${url.replace(/:[^:@/]*@/, ':***@')}" is not a ${protocols[0]}// URL`,
      { hint: `${setting} takes ${form}` },
    );
  }
  return parsed;
}

/** Connects, or exit 3 naming the server, the setting and how to start the local one. */
export async function connectLockServer(
  connect: () => Promise<unknown>,
  server: URL,
  setting: string,
  service: string,
): Promise<void> {
  try {
    await connect();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw machineError('E_LOCK_UNREACHABLE', `the promotion lock server ${server.host} does not answer (${reason})`, {
      hint: `start it (\`devkit up ${service}\`) or fix ${setting} in devkit.json`,
    });
  }
}

/** Exit 3 for a lock still held at the deadline. */
export function lockStillHeld(key: string, server: URL, timeoutMs: number, holder = ''): Error {
  return machineError(
    'E_STORE_LOCKED',
    `the promotion lock ${key} on ${server.host} is still held${holder} after ${timeoutMs / 1000} s`,
    { hint: 'another promote is running; retry when it is done' },
  );
}
