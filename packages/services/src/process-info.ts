import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { runCommandSync } from '@devkit/core';

/**
 * Facts about other processes, read from /proc on Linux (cheap: a file read, no spawn) and
 * from `ps`/`lsof` elsewhere. Whether a pid runs and the identity that tells it from a reused
 * pid (`isProcessAlive`, `processIdentity`) come from @devkit/core/process.
 */

const LINUX = process.platform === 'linux';

/** The command line of a process, for messages ("port 5432 is taken by pid 42 (postgres -D …)"). */
export function commandLine(pid: number): string | undefined {
  if (LINUX) {
    try {
      const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const line = raw.split('\0').filter(Boolean).join(' ');
      return line || undefined;
    } catch {
      return undefined;
    }
  }
  try {
    return runCommandSync('ps', ['-o', 'command=', '-p', String(pid)], { cwd: '/' }).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Pids of the processes in a process group (Linux: from /proc; elsewhere: `ps`). */
export function processGroupMembers(pgid: number): number[] {
  if (LINUX) {
    const members: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
      } catch {
        // the process ended while we looked
      }
    }
    return members;
  }
  try {
    const out = runCommandSync('ps', ['-A', '-o', 'pid=,pgid='], { cwd: '/' }).stdout;
    return out
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter(([pid, group]) => group === pgid && pid !== undefined)
      .map(([pid]) => pid!);
  } catch {
    return [];
  }
}

export interface PortOwner {
  pid: number;
  command: string | undefined;
}

/**
 * Which process listens on a TCP port of the loopback (or any) address. Best effort: on Linux
 * it maps the socket inode from /proc/net/tcp{,6} to a process's open files, which needs
 * permission to read that process's fds (root, or the same user); elsewhere it asks `lsof`.
 */
export function findPortOwner(port: number): PortOwner | undefined {
  if (LINUX) {
    const inodes = new Set(listeningSockets(port).map((cols) => cols[9]!));
    if (inodes.size === 0) return undefined;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${entry}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        } catch {
          continue;
        }
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match && inodes.has(match[1]!)) {
          const pid = Number(entry);
          return { pid, command: commandLine(pid) };
        }
      }
    }
    return undefined;
  }
  try {
    const out = runCommandSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { cwd: '/' }).stdout;
    const pid = Number(out.trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? { pid, command: commandLine(pid) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether something listens on a TCP port, read from /proc/net/tcp{,6} on Linux: no
 * connection is made, so the service logs nothing (PostgreSQL would log an "incomplete startup
 * packet" for every bare connect). Undefined where there is no /proc: the caller connects.
 */
export function portListening(port: number): boolean | undefined {
  return LINUX ? listeningSockets(port).length > 0 : undefined;
}

/**
 * The rows of /proc/net/tcp and /proc/net/tcp6 (split into columns: sl, local_address, …,
 * inode at 9) of sockets listening (state 0A) on `port`. The port's hex form filters lines
 * before any split: this runs on the warm path of every bootstrap.
 */
function listeningSockets(port: number): string[][] {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const rows: string[][] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.includes(`${hex} `)) continue;
      const cols = line.trim().split(/\s+/);
      if (cols.length >= 10 && cols[1]!.endsWith(hex) && cols[3] === '0A') rows.push(cols);
    }
  }
  return rows;
}
