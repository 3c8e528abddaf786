import { readdirSync } from 'node:fs';
import { servicePaths, servicesRoot, type ServicePaths } from './paths.js';
import { readSupervisorState } from './supervisor-protocol.js';
import { inspectService, stopService, type RunState } from './supervisor.js';
import type { ServiceTarget } from './targets.js';

export interface Leftover {
  /** `postgres-14`: a folder devkit.json no longer declares. */
  dirName: string;
  paths: ServicePaths;
  state: RunState;
  pid: number | null;
  port: number | null;
}

/**
 * Services still running (or orphaned) from folders devkit.json does not declare any more: a
 * service removed from the file, or the old major after a version bump. Nothing else would
 * ever stop them, so `down` does and `status` points them out.
 */
export function findLeftovers(root: string, declared: readonly ServiceTarget[]): Leftover[] {
  let entries: string[];
  try {
    entries = readdirSync(servicesRoot(root));
  } catch {
    return [];
  }
  const known = new Set(declared.map((t) => t.paths.dirName));
  return entries.flatMap((dirName) => {
    const match = /^(.+)-(\d+)$/.exec(dirName);
    if (!match || known.has(dirName)) return [];
    const paths = servicePaths(root, match[1]!, match[2]!);
    const { state, record } = inspectService(paths);
    if (state !== 'running' && state !== 'orphaned' && state !== 'stopping') return [];
    return [{ dirName, paths, state, pid: record?.service?.pid ?? null, port: record?.port ?? null }];
  });
}

/** Stops a leftover with the signal and grace period its supervisor recorded. */
export async function stopLeftover(leftover: Leftover): Promise<void> {
  const record = readSupervisorState(leftover.paths.state);
  await stopService(leftover.paths, record?.stopSignal ?? 'SIGTERM', record?.graceMs ?? 10_000);
}
