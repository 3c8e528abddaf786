import { stat } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import type { ParsedLockfile } from '@devkit/lockfile';
import { dependencyClosure } from '@devkit/lockfile/closure';
import { buildEntries, readManifest } from './artifact.js';
import type { BuildRecord } from './build-record.js';
import type { BuildSession, DeployableSpec, NativePart } from './build-deployable.js';
import { planDeployable } from './build-deployable.js';
import type { Digest } from './digest.js';
import { planDependencyEntries } from './deploy-layout.js';
import { diffInputs, type InputsDiff, type InputsRecord } from './inputs.js';
import { memberEntries, readPackageJson } from './member-files.js';

/** One layer a deployable's artifact will hold. `entries` is counted only for a detailed plan (--dry-run). */
export interface LayerPlan {
  part: string;
  target?: string | undefined;
  /** What goes in, in words. */
  source: string;
  entries: number | null;
}

/** Whether a deployable is packed or reused, and what it will hold: plain data. */
export interface DeployablePlan {
  name: string;
  deployable: string;
  package: string;
  inputsDigest: Digest;
  /** The artifact built from identical inputs, reused instead of packing. */
  reuse: Digest | null;
  /** Why it is reused, or why not. */
  reason: string;
  /** The newest earlier build of this name and what differs from it (as `devkit why` lists it). */
  previous: { digest: Digest; inputsDigest: Digest; changes: string[] } | null;
  layers: LayerPlan[];
}

/** A native package that some deployable ships (in its production closure), with the deployables that ship it. */
export interface ShippedNativePackage {
  name: string;
  dir: string;
  usedBy: string[];
}

/** What a native build produced, as plain records (the native package's results, passed in as data). */
export interface NativeOutputRecord {
  package: string;
  target: string;
  outputs: ReadonlyArray<{ path: string }>;
}

/**
 * Plans one deployable: its inputs digest, reuse of an artifact with identical inputs (kept
 * out with `rebuild`, as --check-reproducible does), what differs from the newest earlier build,
 * and its layers — the member's files, the lockfile's production closure in pnpm's
 * node_modules/.pnpm layout (the native parts per target are added by whoever plans the native
 * builds). With `detail`, each layer's entries
 * are counted (the files are scanned, nothing is written).
 */
export async function planDeployableBuild(
  session: BuildSession,
  spec: DeployableSpec,
  options: { rebuild: boolean; detail: boolean },
): Promise<{ plan: DeployablePlan; planned: Awaited<ReturnType<typeof planDeployable>> }> {
  const planned = await planDeployable(session, spec);
  const previous = await previousBuild(session, spec.name, planned.inputs);
  const reason = planned.existing
    ? options.rebuild
      ? `--check-reproducible: rebuilt and compared with ${planned.existing.digest}, built from the same inputs`
      : `an artifact built from identical inputs exists (${planned.existing.digest})`
    : previous
      ? `inputs differ from the newest build ${previous.digest}: ${previous.changes.length} change(s)`
      : `no earlier build of ${spec.name} in the store`;
  const layers: LayerPlan[] = [
    {
      part: 'app',
      source: `the files of ${spec.dir} (package.json "files", or what git sees plus turbo's outputs)`,
      entries: options.detail ? (await memberEntries(session.root, spec.dir, '')).length : null,
    },
    {
      part: 'deps',
      source: describeClosure(session.lock, spec.dir),
      entries: options.detail ? (await planDependencyEntries(session.root, session.lock, spec.dir)).length : null,
    },
  ];
  const plan: DeployablePlan = {
    name: spec.name,
    deployable: spec.dir,
    package: spec.packageName,
    inputsDigest: planned.digest,
    reuse: planned.existing && !options.rebuild ? planned.existing.digest : null,
    reason,
    previous,
    layers,
  };
  return { plan, planned };
}

function describeClosure(lock: ParsedLockfile, dir: string): string {
  const closure = dependencyClosure(lock, dir, false);
  const members = closure.importers.filter((m) => m !== dir);
  return `the production dependency closure from pnpm-lock.yaml: ${closure.packages.length} package(s)${members.length ? ` and workspace member(s) ${members.join(', ')}` : ''}, laid out as node_modules/.pnpm/<package>/node_modules/<name>`;
}

async function previousBuild(
  session: BuildSession,
  name: string,
  inputs: InputsRecord,
): Promise<DeployablePlan['previous']> {
  const newest = buildEntries(await session.store.readIndex(), name)[0];
  if (!newest) return null;
  try {
    const manifest = await readManifest(session.store, newest.digest);
    const record = await session.store.readJson<BuildRecord>(manifest.config.digest);
    return {
      digest: newest.digest,
      inputsDigest: record.inputsDigest,
      changes: describeInputsDiff(diffInputs(record.inputs, inputs)),
    };
  } catch {
    return null;
  }
}

/** What differs between two inputs records, one line each, in `devkit why`'s words. */
export function describeInputsDiff(diff: InputsDiff): string[] {
  const lines: string[] = [];
  const list = (title: string, d: { added: string[]; removed: string[]; changed: string[] }) => {
    for (const p of d.changed) lines.push(`${title} changed: ${p}`);
    for (const p of d.added) lines.push(`${title} added: ${p}`);
    for (const p of d.removed) lines.push(`${title} removed: ${p}`);
  };
  list('file', diff.files);
  list('lockfile', diff.lockfile);
  if (diff.config) lines.push('devkit.json (toolchain, native or artifacts.env) changed');
  for (const t of diff.toolchain) lines.push(`toolchain ${t.key}: ${t.a ?? '-'} → ${t.b ?? '-'}`);
  if (diff.devkitVersion) lines.push(`devkit ${diff.devkitVersion.a} → ${diff.devkitVersion.b}`);
  for (const e of diff.env)
    lines.push(
      `env ${e.name}: ${e.a === null ? 'unset' : 'set'} → ${e.b === null ? 'unset' : 'set'}${e.a !== null && e.b !== null ? ' (value changed)' : ''}`,
    );
  return lines;
}

/**
 * The native packages (devkit.json native.packages) that some deployable ships: those in a
 * deployable's production closure. Only they are built — a native package nothing deploys
 * does not hold up `devkit build`.
 */
export async function shippedNativePackages(
  root: string,
  lock: ParsedLockfile,
  specs: readonly DeployableSpec[],
  configured: readonly string[],
): Promise<ShippedNativePackage[]> {
  const wanted = new Set(configured);
  const found = new Map<string, ShippedNativePackage>();
  if (wanted.size === 0) return [];
  for (const spec of specs) {
    for (const member of dependencyClosure(lock, spec.dir, false).importers) {
      const name = (await readPackageJson(root, member)).name;
      if (!name || !wanted.has(name)) continue;
      const entry = found.get(name) ?? { name, dir: member, usedBy: [] };
      if (!entry.usedBy.includes(spec.name)) entry.usedBy.push(spec.name);
      found.set(name, entry);
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * The native outputs a deployable ships, one part per target, at the path its deps layer gives
 * the package: node_modules/.pnpm/workspace+<member dir>/node_modules/<name> (deploy-layout's
 * folder for a workspace member).
 */
export async function nativeParts(
  root: string,
  spec: DeployableSpec,
  shipped: readonly ShippedNativePackage[],
  results: readonly NativeOutputRecord[],
): Promise<NativePart[]> {
  const byTarget = new Map<string, NativePart>();
  for (const r of results) {
    const pkg = shipped.find((s) => s.name === r.package);
    if (!pkg || !pkg.usedBy.includes(spec.name)) continue;
    const base = `node_modules/.pnpm/workspace+${pkg.dir.replaceAll('/', '+')}/node_modules/${pkg.name}`;
    const part = byTarget.get(r.target) ?? { target: r.target, entries: [] };
    for (const o of r.outputs) {
      const source = join(root, o.path);
      const st = await stat(source);
      part.entries.push({
        type: 'file',
        path: `${base}/${posix.relative(pkg.dir, o.path.split(sep).join('/'))}`,
        source,
        size: st.size,
        executable: (st.mode & 0o111) !== 0,
      });
    }
    byTarget.set(r.target, part);
  }
  return [...byTarget.values()].sort((a, b) => (a.target < b.target ? -1 : 1));
}
