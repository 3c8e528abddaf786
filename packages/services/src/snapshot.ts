import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findingError, usageError, writeFileAtomic } from '@devkit/core';
import { closest } from '@devkit/config';
import { copyTree, treeSize } from './copy-tree.js';
import { snapshotsRoot } from './paths.js';
import { inspectService, stopService } from './supervisor.js';
import { configuredTargets, selectTargets, type ServiceTarget } from './targets.js';
import { upServices, type ServicesOptions } from './up.js';
import { withLocks } from './lock.js';

export interface SnapshotInfo {
  name: string;
  createdAt: string;
  /** Folder names (`postgres-15`) of the services it holds. */
  services: string[];
  bytes: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw usageError(
      'E_SNAPSHOT_NAME',
      `invalid snapshot name ${JSON.stringify(name)}: expected letters, digits, '.', '_' or '-' (at most 64)`,
      { hint: 'devkit snapshot save before-migration' },
    );
  }
}

function readInfo(dir: string): SnapshotInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as SnapshotInfo;
  } catch {
    return undefined;
  }
}

/** `devkit snapshot ls`: the snapshots of this checkout, newest first. */
export function listSnapshots(root: string): SnapshotInfo[] {
  const base = snapshotsRoot(root);
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return [];
  }
  return entries
    .filter((e) => !e.startsWith('.'))
    .map((e) => readInfo(join(base, e)))
    .filter((i): i is SnapshotInfo => i !== undefined)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

function isRunning(target: ServiceTarget): boolean {
  const { state } = inspectService(target.paths);
  return state === 'running' || state === 'orphaned' || state === 'stopping';
}

/**
 * Stops the running ones among `targets` (a copy of live database files is not a backup),
 * runs `work`, then starts again the ones that were running — also when `work` failed.
 */
async function withStopped<T>(
  options: ServicesOptions,
  targets: ServiceTarget[],
  work: () => Promise<T>,
): Promise<{ result: T; restarted: string[] }> {
  // The services' locks are held while they are stopped and copied: an `up` elsewhere waits.
  for (const t of targets) mkdirSync(t.paths.dir, { recursive: true });
  const locks = targets.map((t) => ({ path: join(t.paths.dir, 'lock'), what: t.kind }));
  let running: ServiceTarget[] = [];
  let result: T;
  try {
    result = await withLocks(locks, async () => {
      running = targets.filter(isRunning);
      await Promise.all(running.map((t) => stopService(t.paths, t.runner.stopSignal, t.runner.graceMs)));
      return work();
    });
  } finally {
    if (running.length > 0) await upServices({ ...options, names: running.map((t) => t.kind) });
  }
  return { result, restarted: running.map((t) => t.kind) };
}

/**
 * `devkit snapshot save <name> [svc…]`: a consistent copy of the services' data (stopped
 * first, started again after) under `.devkit/snapshots/<name>/`. Replaces a snapshot of the
 * same name only once the new one is complete.
 */
export async function saveSnapshot(
  options: ServicesOptions & { name: string; names: readonly string[] },
): Promise<SnapshotInfo & { restarted: string[] }> {
  checkName(options.name);
  const targets = selectTargets(options.root, options.config, options.names, 'snapshot save').filter((t) =>
    existsSync(t.paths.data),
  );
  if (targets.length === 0) {
    throw findingError('E_SNAPSHOT_NOTHING', 'no service has data to snapshot yet', {
      hint: 'devkit up   (then devkit snapshot save <name>)',
    });
  }
  const base = snapshotsRoot(options.root);
  const final = join(base, options.name);
  const temp = join(base, `.${options.name}.tmp-${process.pid}`);
  const { result, restarted } = await withStopped(options, targets, async () => {
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true, mode: 0o700 });
    try {
      for (const target of targets) {
        const dest = join(temp, target.paths.dirName);
        mkdirSync(dest);
        await copyTree(target.paths.data, join(dest, 'data'), options.root);
        if (existsSync(target.paths.setup)) await copyTree(target.paths.setup, join(dest, 'setup.json'), options.root);
      }
      const info: SnapshotInfo = {
        name: options.name,
        createdAt: new Date().toISOString(),
        services: targets.map((t) => t.paths.dirName),
        bytes: treeSize(temp),
      };
      await writeFileAtomic(join(temp, 'snapshot.json'), `${JSON.stringify(info, null, 2)}\n`);
      const old = join(base, `.${options.name}.old-${process.pid}`);
      if (existsSync(final)) renameSync(final, old);
      renameSync(temp, final);
      rmSync(old, { recursive: true, force: true });
      return info;
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      throw error;
    }
  });
  return { ...result, restarted };
}

/**
 * `devkit snapshot restore <name>`: puts the snapshot's data back (services stopped first,
 * started again after if they were running). Each data folder is swapped in by rename, so an
 * interruption leaves either the old data or the restored data, never a mix.
 */
export async function restoreSnapshot(
  options: ServicesOptions & { name: string },
): Promise<SnapshotInfo & { restarted: string[] }> {
  checkName(options.name);
  const dir = join(snapshotsRoot(options.root), options.name);
  const info = readInfo(dir);
  if (!info) {
    const names = listSnapshots(options.root).map((s) => s.name);
    const suggestion = closest(options.name, names);
    throw usageError(
      'E_SNAPSHOT_UNKNOWN',
      `no snapshot named ${JSON.stringify(options.name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; snapshots: ${names.join(', ') || 'none'}`,
      {
        hint: names.length
          ? `devkit snapshot restore ${suggestion ?? names[0]}`
          : `devkit snapshot save ${options.name}`,
      },
    );
  }
  const declared = configuredTargets(options.root, options.config);
  const targets = info.services.map((dirName) => {
    const target = declared.find((t) => t.paths.dirName === dirName);
    if (!target) {
      throw findingError(
        'E_SNAPSHOT_MISMATCH',
        `snapshot ${options.name} holds ${dirName}, which devkit.json does not declare at that major version (declared: ${declared.map((t) => t.paths.dirName).join(', ') || 'none'})`,
        {
          hint: 'restore it with the devkit.json it was taken with, or take a new snapshot',
        },
      );
    }
    return target;
  });
  const { restarted } = await withStopped(options, targets, async () => {
    for (const target of targets) {
      const incoming = `${target.paths.data}.restore`;
      const outgoing = `${target.paths.data}.old`;
      rmSync(incoming, { recursive: true, force: true });
      rmSync(outgoing, { recursive: true, force: true });
      mkdirSync(target.paths.dir, { recursive: true });
      await copyTree(join(dir, target.paths.dirName, 'data'), incoming, options.root);
      if (existsSync(target.paths.data)) renameSync(target.paths.data, outgoing);
      renameSync(incoming, target.paths.data);
      rmSync(outgoing, { recursive: true, force: true });
      const setup = join(dir, target.paths.dirName, 'setup.json');
      rmSync(target.paths.setup, { force: true });
      if (existsSync(setup)) await copyTree(setup, target.paths.setup, options.root);
    }
  });
  return { ...info, restarted };
}
