import { posix } from 'node:path';
import { parse } from 'yaml';
import { usageError } from '@devkit/core';

/** The parts of a pnpm v9 lockfile devkit reads. */
export interface PnpmLockfile {
  lockfileVersion: string;
  importers: Record<string, LockImporter>;
  packages?: Record<string, { resolution?: Record<string, unknown>; [key: string]: unknown }>;
  snapshots?: Record<string, LockSnapshot>;
}

export interface LockImporter {
  dependencies?: Record<string, { specifier: string; version: string }>;
  optionalDependencies?: Record<string, { specifier: string; version: string }>;
  devDependencies?: Record<string, { specifier: string; version: string }>;
}

export interface LockSnapshot {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  optional?: boolean;
}

/** A dependency edge: the name it is required by, and what it resolves to. */
export type LockTarget = { kind: 'workspace'; importer: string } | { kind: 'package'; key: string };

export interface DependencyEdge {
  name: string;
  target: LockTarget;
  optional: boolean;
}

/** The dependency closure of one workspace member: which members and which packages. */
export interface DependencyClosure {
  /** Workspace members (importer paths), the root member first. */
  importers: string[];
  /** Snapshot keys (`name@version(peers)`), sorted. */
  packages: string[];
}

export function parseLockfile(text: string, file: string): PnpmLockfile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw usageError('E_LOCKFILE_PARSE', `${file} is not valid YAML: ${(error as Error).message}`, { hint: 'run `pnpm install` to rewrite it' });
  }
  const lock = doc as Partial<PnpmLockfile> | null;
  if (!lock || typeof lock !== 'object' || !lock.importers) {
    throw usageError('E_LOCKFILE_PARSE', `${file} has no "importers": not a pnpm workspace lockfile`, { hint: 'run `pnpm install` at the workspace root' });
  }
  if (!String(lock.lockfileVersion ?? '').startsWith('9')) {
    throw usageError('E_LOCKFILE_VERSION', `${file} has lockfileVersion ${String(lock.lockfileVersion)}; devkit reads version 9 (pnpm 9 and 10)`, {
      hint: 'run `pnpm install` with pnpm 10 to upgrade the lockfile',
    });
  }
  return lock as PnpmLockfile;
}

/** What a version string in the lockfile points at. */
export function resolveLockVersion(fromImporter: string | undefined, name: string, version: string): LockTarget {
  if (version.startsWith('link:')) {
    const base = fromImporter ?? '.';
    return { kind: 'workspace', importer: posix.normalize(posix.join(base, version.slice('link:'.length))) };
  }
  // An alias (`npm:other@1.0.0`) is recorded as `other@1.0.0`: a version with its own name.
  // Only the part before a peer suffix `(peer@1.0.0)` can name another package.
  const bare = version.split('(')[0]!;
  if (bare.indexOf('@', 1) > 0) return { kind: 'package', key: version };
  return { kind: 'package', key: `${name}@${version}` };
}

/** The snapshot key without its peer suffix: the `packages` key. */
export function packageKey(snapshotKey: string): string {
  const paren = snapshotKey.indexOf('(');
  return paren === -1 ? snapshotKey : snapshotKey.slice(0, paren);
}

/** Edges out of a workspace member: production only, or with dev dependencies for the build closure. */
export function importerEdges(lock: PnpmLockfile, importer: string, withDev: boolean): DependencyEdge[] {
  const entry = lock.importers[importer];
  if (!entry) throw usageError('E_LOCKFILE_IMPORTER', `pnpm-lock.yaml has no importer "${importer}"`, { hint: 'run `pnpm install` so the lockfile lists every workspace member' });
  const edges: DependencyEdge[] = [];
  const add = (deps: LockImporter['dependencies'], optional: boolean) => {
    for (const [name, dep] of Object.entries(deps ?? {})) edges.push({ name, target: resolveLockVersion(importer, name, dep.version), optional });
  };
  add(entry.dependencies, false);
  add(entry.optionalDependencies, true);
  if (withDev) add(entry.devDependencies, false);
  return edges;
}

export function snapshotEdges(lock: PnpmLockfile, key: string): DependencyEdge[] {
  const snap = lock.snapshots?.[key] ?? {};
  const edges: DependencyEdge[] = [];
  for (const [name, version] of Object.entries(snap.dependencies ?? {})) edges.push({ name, target: resolveLockVersion(undefined, name, version), optional: false });
  for (const [name, version] of Object.entries(snap.optionalDependencies ?? {})) edges.push({ name, target: resolveLockVersion(undefined, name, version), optional: true });
  return edges;
}

/**
 * The closure of a member: its production dependencies, transitively (`withDev`: plus the dev
 * dependencies of every member reached, which is what building it needs).
 */
export function dependencyClosure(lock: PnpmLockfile, importer: string, withDev: boolean): DependencyClosure {
  const importers = new Set<string>();
  const packages = new Set<string>();
  const visitImporter = (path: string) => {
    if (importers.has(path)) return;
    importers.add(path);
    for (const edge of importerEdges(lock, path, withDev)) visit(edge.target);
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

/**
 * The slice of the lockfile a closure uses, in a canonical shape: per package its resolution
 * (integrity or tarball) and resolved dependencies; per member its dependency specifiers.
 */
export function lockfileSlice(lock: PnpmLockfile, closure: DependencyClosure): Record<string, unknown> {
  const slice: Record<string, unknown> = {};
  for (const key of closure.packages) {
    slice[key] = { resolution: lock.packages?.[packageKey(key)]?.resolution ?? null, snapshot: lock.snapshots?.[key] ?? null };
  }
  for (const importer of closure.importers) slice[`importer:${importer}`] = lock.importers[importer] ?? null;
  return slice;
}
