import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { withLock } from './lock.js';
import { join } from 'node:path';
import { stopService } from './supervisor.js';
import { selectTargets, type ServiceTarget } from './targets.js';
import { findLeftovers, stopLeftover } from './leftovers.js';
import type { ServicesOptions } from './up.js';

export interface DownServiceResult {
  name: string;
  outcome: 'stopped' | 'was-stopped' | 'cleaned';
  purged: boolean;
}

/** Deletes a service's data, logs and setup record; keeps its port so URLs stay the same. */
export function purgeServiceData(target: ServiceTarget): void {
  let entries: string[];
  try {
    entries = readdirSync(target.paths.dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry !== 'port' && entry !== 'lock') rmSync(join(target.paths.dir, entry), { recursive: true, force: true });
  }
}

/**
 * `devkit down`: stops the named (default: all declared) services in parallel — each with its
 * stop signal, then SIGKILL after its grace period — including orphans whose supervisor was
 * killed, and clears stale state and sockets. With `purge`, deletes their data too (the caller
 * confirms first).
 */
export async function downServices(
  options: ServicesOptions & { names: readonly string[]; purge: boolean },
): Promise<DownServiceResult[]> {
  const targets = selectTargets(options.root, options.config, options.names, 'down');
  // A plain `down` also stops what runs from folders devkit.json no longer declares.
  const leftovers = options.names.length === 0 ? findLeftovers(options.root, targets) : [];
  const stoppedLeftovers = leftovers.map(async (leftover): Promise<DownServiceResult> => {
    await stopLeftover(leftover);
    return { name: leftover.dirName, outcome: 'stopped', purged: false };
  });
  const declared = targets.map(async (target): Promise<DownServiceResult> => {
    mkdirSync(target.paths.dir, { recursive: true });
    const outcome = await withLock(join(target.paths.dir, 'lock'), target.kind, async () => {
      const stopped = await stopService(target.paths, target.runner.stopSignal, target.runner.graceMs);
      if (options.purge) purgeServiceData(target);
      return stopped;
    });
    return { name: target.kind, outcome, purged: options.purge };
  });
  return Promise.all([...declared, ...stoppedLeftovers]);
}
