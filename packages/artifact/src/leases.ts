import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive, processIdentity } from '@devkit/core';

/**
 * A lease says "this process is writing blobs that index.json does not point to yet": gc
 * does not sweep blobs while a live process holds one, so it can never delete a blob
 * between its write and the index update that roots it. Unlike the store lock, any number
 * of processes hold leases at once; gc only reads them.
 *
 * Each lease is its own file `leases/<pid>-<random>` holding the process identity: two leases
 * of one process are released apart, and gc removing a dead process's lease can never remove
 * one a new process with the same pid has just taken (its name differs).
 */
export async function takeLease(storeRoot: string): Promise<() => Promise<void>> {
  const dir = join(storeRoot, 'leases');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}`);
  await writeFile(file, `${processIdentity(process.pid) ?? ''}\n`);
  return () => rm(file, { force: true });
}

/** Pids holding a lease that are still alive; leases of dead processes are removed. */
export async function liveLeases(storeRoot: string): Promise<number[]> {
  const dir = join(storeRoot, 'leases');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const live = new Set<number>();
  for (const name of names) {
    // parseInt reads the pid of "<pid>-<random>" and of an older lease named "<pid>" alike.
    const pid = Number.parseInt(name, 10);
    if (await leaseHolderAlive(join(dir, name), pid)) live.add(pid);
    else await rm(join(dir, name), { force: true });
  }
  return [...live];
}

async function leaseHolderAlive(file: string, pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const content = await readFile(file, 'utf8').catch(() => '');
  // A lease being written (no newline yet), or an older one holding a date: the pid alone tells.
  const identity = content.endsWith('\n') ? content.slice(0, -1) : '';
  if (!identity) return isProcessAlive(pid);
  // A reused pid is another process: its identity differs from the lease holder's.
  return processIdentity(pid) === identity;
}
