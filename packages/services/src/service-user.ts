import { chmodSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { machineError, runCommandSync } from '@devkit/core';
import type { ServiceUser } from './runner.js';

/** The account devkit creates when it needs one. */
export const SERVICE_ACCOUNT = 'devkit';

function lookupUser(name: string): ServiceUser | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(':');
    return { name, uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

export interface ServiceUserChoice {
  user: ServiceUser;
  created: boolean;
}

/**
 * PostgreSQL refuses to run as root, and memcached wants a user to drop to; a development
 * database has no business running as root anyway. So when devkit runs as root it runs every
 * service as the unprivileged account `devkit`, creating it (a system account: no login, no
 * home) the first time. Returns undefined when devkit is not root: services run as the caller.
 */
export function resolveServiceUser(): ServiceUserChoice | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupUser(SERVICE_ACCOUNT);
  if (existing) return { user: existing, created: false };
  let lastError: unknown;
  // Another devkit may be creating it at this moment (useradd then fails on the passwd lock).
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      runCommandSync(
        'useradd',
        [
          '--system',
          '--user-group',
          '--no-create-home',
          '--home-dir',
          '/nonexistent',
          '--shell',
          '/usr/sbin/nologin',
          '--comment',
          'devkit services',
          SERVICE_ACCOUNT,
        ],
        { cwd: '/' },
      );
      lastError = undefined;
      break;
    } catch (error) {
      lastError = error;
      const raced = lookupUser(SERVICE_ACCOUNT);
      if (raced) return { user: raced, created: false };
      // A synchronous pause without starting a process for it.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  if (lastError !== undefined) {
    const error = lastError;
    throw machineError(
      'E_SERVICE_USER',
      `devkit runs as root and could not create the unprivileged user ${SERVICE_ACCOUNT} that services run as: ${(error as Error).message}`,
      {
        hint: `useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${SERVICE_ACCOUNT}   (or run devkit as a normal user)`,
        cause: error,
      },
    );
  }
  const created = lookupUser(SERVICE_ACCOUNT);
  if (!created)
    throw machineError('E_SERVICE_USER', `useradd reported success but ${SERVICE_ACCOUNT} is not in /etc/passwd`, {
      hint: 'check /etc/passwd and nsswitch',
    });
  return { user: created, created: true };
}

function canSearch(path: string, user: ServiceUser): boolean {
  const st = statSync(path);
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * Makes sure the service user can reach `target` (a folder inside the repo): every folder on
 * the way that the user cannot enter gets `o+x` — search only, no listing — and is returned so
 * the caller can say so. This matters when the repo sits in a private folder (a `mktemp -d`,
 * /root): as root, devkit would otherwise start a PostgreSQL that cannot open its own data.
 */
export function ensureReachable(target: string, user: ServiceUser): string[] {
  const blocked: string[] = [];
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    if (!canSearch(dir, user)) blocked.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of blocked) {
    try {
      chmodSync(dir, (statSync(dir).mode & 0o7777) | 0o001);
    } catch (error) {
      throw machineError(
        'E_SERVICE_DIR_UNREACHABLE',
        `services run as the unprivileged user ${user.name} (devkit runs as root), which cannot enter ${dir} on the way to ${target}, and devkit could not change that: ${(error as Error).message}`,
        {
          hint: `chmod o+x ${dir}   (search permission only), or run devkit as a normal user`,
          cause: error,
        },
      );
    }
  }
  return blocked;
}
