import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A lease says "this process is writing blobs that index.json does not point to yet": gc
 * does not sweep blobs while a live process holds one, so it can never delete a blob
 * between its write and the index update that roots it.
 */
export async function takeLease(storeRoot: string): Promise<() => Promise<void>> {
  const dir = join(storeRoot, 'leases');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${process.pid}`);
  await writeFile(file, new Date().toISOString());
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
  const live: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) live.push(pid);
    else await rm(join(dir, name), { force: true });
  }
  return live;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
