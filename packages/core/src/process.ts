// Node-only on purpose: the services supervisor imports this file alone (@devkit/core/process)
// and must start without loading the rest of core.
import { readFileSync } from 'node:fs';
import { runCommandSync } from './spawn.js';

const LINUX = process.platform === 'linux';
let bootId: string | undefined;

function readBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = 'unknown-boot';
    }
  }
  return bootId;
}

/** Whether a process with this pid exists, whoever owns it. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A string that names one process across its whole life and no other: boot id + start time on
 * Linux (read from /proc, no spawn), `ps`'s start time elsewhere. A pid alone is not an identity:
 * pids are reused after a crash or a reboot. `undefined` when the process does not exist (or is a
 * zombie waiting to be reaped).
 */
export function processIdentity(pid: number): string | undefined {
  if (!isProcessAlive(pid)) return undefined;
  if (LINUX) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
      return `${readBootId()}:${fields[19]}`;
    } catch {
      return undefined;
    }
  }
  try {
    const started = runCommandSync('ps', ['-o', 'lstart=', '-p', String(pid)], { cwd: '/' }).stdout.trim();
    return started ? `ps:${started}` : undefined;
  } catch {
    return undefined;
  }
}
