import { posix } from 'node:path';
import { usageError } from '@devkit/core';
import { refToRelative, removeSuffix } from './dep-path.js';
import {
  DEPENDENCY_FIELDS,
  type LockfileImporter,
  type LockfilePackage,
  type LockfileSnapshot,
  type ParsedLockfile,
} from './types.js';

/** What a reference in the lockfile points at: a workspace member or a snapshot. */
export type LockTarget = { kind: 'workspace'; importer: string } | { kind: 'package'; key: string };

/** A dependency edge: the name it is required by, what it resolves to, and whether it is optional. */
export interface DependencyEdge {
  name: string;
  target: LockTarget;
  optional: boolean;
}

/** The dependency closure of one workspace member: which members and which packages. */
export interface DependencyClosure {
  /** Workspace members (importer ids), the starting member first. */
  importers: string[];
  /** Snapshot keys (`name@version(peers)`), sorted. */
  packages: string[];
}

/**
 * What a reference in the lockfile points at. `fromImporter` is the member whose importer
 * holds it (a `link:` is relative to that member; in snapshots, to the root).
 */
export function resolveLockVersion(fromImporter: string | undefined, name: string, version: string): LockTarget {
  if (version.startsWith('link:')) {
    const base = fromImporter ?? '.';
    return { kind: 'workspace', importer: posix.normalize(posix.join(base, version.slice('link:'.length))) };
  }
  // refToRelative is null only for link:, handled above
  return { kind: 'package', key: refToRelative(version, name)! };
}

/** The snapshot key without its peer or patch suffix: the key of its `packages:` entry. */
export function packageKey(snapshotKey: string): string {
  return removeSuffix(snapshotKey);
}

/** Edges out of a workspace member: production dependencies, plus dev dependencies when `withDev`. */
export function importerEdges(lock: ParsedLockfile, importer: string, withDev: boolean): DependencyEdge[] {
  const entry = lock.importers[importer];
  if (!entry) {
    throw usageError('E_LOCKFILE_IMPORTER', `pnpm-lock.yaml has no importer "${importer}"`, {
      hint: 'run `pnpm install` so the lockfile lists every workspace member',
    });
  }
  const edges: DependencyEdge[] = [];
  const add = (versions: Record<string, string> | undefined, optional: boolean) => {
    if (versions)
      for (const [name, version] of Object.entries(versions))
        edges.push({ name, target: resolveLockVersion(importer, name, version), optional });
  };
  add(entry.dependencies, false);
  add(entry.optionalDependencies, true);
  if (withDev) add(entry.devDependencies, false);
  return edges;
}

/** Edges out of a snapshot: its dependencies, then its optional dependencies. */
export function snapshotEdges(lock: ParsedLockfile, key: string): DependencyEdge[] {
  const snapshot = lock.snapshots.get(key);
  if (!snapshot) return [];
  const { refs } = snapshot;
  const optionalFrom = snapshot.optionalFrom ?? refs.length;
  const edges: DependencyEdge[] = [];
  for (let i = 0; i + 1 < refs.length; i += 2) {
    const name = refs[i]!;
    edges.push({ name, target: resolveLockVersion(undefined, name, refs[i + 1]!), optional: i >= optionalFrom });
  }
  return edges;
}

/**
 * The closure of a member: its production dependencies, transitively (`withDev`: plus the dev
 * dependencies of every member reached, which is what building it needs).
 */
export function dependencyClosure(lock: ParsedLockfile, importer: string, withDev: boolean): DependencyClosure {
  const importers = new Set<string>();
  const packages = new Set<string>();
  const visitImporter = (id: string) => {
    if (importers.has(id)) return;
    importers.add(id);
    for (const edge of importerEdges(lock, id, withDev)) visit(edge.target);
  };
  const visit = (target: LockTarget) => {
    if (target.kind === 'workspace') return visitImporter(target.importer);
    if (packages.has(target.key)) return;
    packages.add(target.key);
    for (const edge of snapshotEdges(lock, target.key)) visit(edge.target);
  };
  visitImporter(importer);
  return { importers: [...importers], packages: [...packages].sort() };
}

const packagesByKey = new WeakMap<ParsedLockfile, Map<string, LockfilePackage>>();

/** The `packages:` entry of a snapshot key. */
export function lockfilePackage(lock: ParsedLockfile, snapshotKey: string): LockfilePackage | undefined {
  let byKey = packagesByKey.get(lock);
  if (!byKey) {
    byKey = new Map(lock.packages.map((pkg) => [pkg.key, pkg]));
    packagesByKey.set(lock, byKey);
  }
  return byKey.get(packageKey(snapshotKey));
}

/**
 * The slice of the lockfile a closure uses, in the shape pnpm writes it: per package its
 * resolution (integrity, tarball or commit) and its snapshot (resolved dependencies, optional
 * dependencies, the `optional` mark); per member its dependencies with specifier and version.
 * These decide what gets installed; the rest of a snapshot (`transitivePeerDependencies`) is
 * pnpm's bookkeeping and left out.
 */
export function lockfileSlice(lock: ParsedLockfile, closure: DependencyClosure): Record<string, unknown> {
  const slice: Record<string, unknown> = {};
  for (const key of closure.packages) {
    const snapshot = lock.snapshots.get(key);
    slice[key] = {
      resolution: lockfilePackage(lock, key)?.resolution ?? null,
      snapshot: snapshot ? snapshotSlice(snapshot) : null,
    };
  }
  for (const id of closure.importers) {
    const importer = lock.importers[id];
    slice[`importer:${id}`] = importer ? importerSlice(importer) : null;
  }
  return slice;
}

function pairs(refs: readonly string[], from: number, to: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = from; i + 1 < to; i += 2) out[refs[i]!] = refs[i + 1]!;
  return out;
}

function snapshotSlice(snapshot: LockfileSnapshot): Record<string, unknown> {
  const { refs, optionalFrom } = snapshot;
  const slice: Record<string, unknown> = {};
  const dependenciesEnd = optionalFrom ?? refs.length;
  if (dependenciesEnd > 0) slice.dependencies = pairs(refs, 0, dependenciesEnd);
  if (optionalFrom !== undefined) slice.optionalDependencies = pairs(refs, optionalFrom, refs.length);
  if (snapshot.optional) slice.optional = true;
  return slice;
}

function importerSlice(importer: LockfileImporter): Record<string, unknown> {
  const slice: Record<string, unknown> = {};
  for (const field of DEPENDENCY_FIELDS) {
    const versions = importer[field];
    if (!versions) continue;
    const entries: Record<string, { specifier: string | undefined; version: string }> = {};
    for (const [name, version] of Object.entries(versions))
      entries[name] = { specifier: importer.specifiers[name], version };
    slice[field] = entries;
  }
  if (importer.dependenciesMeta) slice.dependenciesMeta = importer.dependenciesMeta;
  if (importer.publishDirectory !== undefined) slice.publishDirectory = importer.publishDirectory;
  return slice;
}
