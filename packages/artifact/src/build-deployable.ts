import { basename } from 'node:path';
import { findingError, usageError, withProgress, type Reporter } from '@devkit/core';
import type { ParsedLockfile } from '@devkit/lockfile';
import {
  findByInputs,
  readManifest,
  registerBuild,
  writeArtifact,
  attachProvenance,
  type LayerPart,
  type ArtifactManifest,
} from './artifact.js';
import { provenanceStatement, type BuildRecord, type ProvenanceFacts } from './build-record.js';
import type { Digest } from './digest.js';
import { planDependencyEntries } from './deploy-layout.js';
import { collectInputs, inputsDigest, type InputsRecord } from './inputs.js';
import type { LayerEntry } from './layer-entry.js';
import { diffListings, listLayer } from './layer-reader.js';
import { takeLease } from './leases.js';
import { memberEntries, readPackageJson } from './member-files.js';
import { ANNOTATIONS } from './media-types.js';
import { estimateTarBytes, packLayer } from './pack.js';
import { isArtifactName } from './refs.js';
import type { Descriptor, OciStore } from './store.js';

export interface DeployableSpec {
  /** Artifact name: the folder's name (`apps/api` → `api`). */
  name: string;
  dir: string;
  packageName: string;
}

/** Names each deployable folder; refuses names that clash or are not valid artifact names. */
export async function resolveDeployables(root: string, dirs: readonly string[]): Promise<DeployableSpec[]> {
  const specs: DeployableSpec[] = [];
  for (const raw of dirs) {
    const dir = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    const pkg = await readPackageJson(root, dir);
    const name = basename(dir).toLowerCase();
    if (!isArtifactName(name)) {
      throw usageError(
        'E_DEPLOYABLE_NAME',
        `devkit.json artifacts.deployables: "${raw}" gives the artifact name "${name}", which is not valid (lower-case letters, digits, . _ -)`,
        {
          hint: 'rename the folder',
        },
      );
    }
    if (specs.some((s) => s.name === name)) {
      throw usageError(
        'E_DEPLOYABLE_NAME',
        `devkit.json artifacts.deployables: two deployables are both named "${name}"`,
        { hint: 'give the deployable folders distinct names' },
      );
    }
    specs.push({ name, dir, packageName: pkg.name ?? name });
  }
  return specs;
}

/** What every deployable of one `devkit build` shares. */
export interface BuildSession {
  root: string;
  store: OciStore;
  lock: ParsedLockfile;
  lockfileDigest: Digest;
  commit: string;
  dirty: boolean;
  toolchain: Record<string, string>;
  /** Native builder image IDs by target. */
  builders: Record<string, string>;
  devkitVersion: string;
  env: NodeJS.ProcessEnv;
  config: { toolchain?: unknown; native?: unknown; artifacts?: { env?: string[] } };
  mtimeSeconds: number;
  provenance: Omit<ProvenanceFacts, 'finishedOn' | 'startedOn' | 'invocationId'> & { invocationId: string };
  reporter: Reporter;
  now: () => Date;
}

export interface BuiltArtifact {
  name: string;
  deployable: string;
  digest: Digest;
  size: number;
  inputsDigest: Digest;
  reused: boolean;
  layers: Array<{ part: string; digest: Digest; diffId: string; size: number; entries: number }>;
  provenance: Digest | null;
  reproducible?: boolean;
}

/** Native prebuilds to add as one layer per target (from the native builds). */
export interface NativePart {
  target: string;
  entries: LayerEntry[];
}

/** Inputs of one deployable and whether the store already has its artifact. */
export async function planDeployable(
  session: BuildSession,
  spec: DeployableSpec,
): Promise<{ inputs: InputsRecord; digest: Digest; existing: Descriptor | undefined }> {
  const inputs = await collectInputs({
    root: session.root,
    deployable: spec.dir,
    lock: session.lock,
    config: session.config,
    toolchain: session.toolchain,
    devkitVersion: session.devkitVersion,
    env: session.env,
  });
  const digest = inputsDigest(inputs);
  const index = await session.store.readIndex();
  let existing = findByInputs(index, spec.name, digest);
  if (existing && !(await isComplete(session.store, existing.digest))) existing = undefined;
  return { inputs, digest, existing };
}

async function isComplete(store: OciStore, digest: Digest): Promise<boolean> {
  try {
    const manifest = await readManifest(store, digest);
    for (const d of [manifest.config, ...manifest.layers]) if (!(await store.hasBlob(d.digest))) return false;
    return true;
  } catch {
    return false;
  }
}

/**
 * Packs one deployable — app layer, deps layer, a layer per native target — writes the
 * build record and manifest, roots it in index.json and attaches provenance. With
 * `checkAgainst`, the artifact is rebuilt and compared with that earlier build of the same
 * inputs instead: a different digest is `E_NOT_REPRODUCIBLE`, naming what differs.
 */
export async function buildDeployable(
  session: BuildSession,
  spec: DeployableSpec,
  planned: { inputs: InputsRecord; digest: Digest },
  options: { native?: NativePart[]; checkAgainst?: Descriptor } = {},
): Promise<BuiltArtifact> {
  const startedOn = session.now();
  const release = await takeLease(session.store.root);
  try {
    const parts: LayerPart[] = [];
    const pack = async (part: string, entries: LayerEntry[], target?: string) => {
      session.reporter.emit({
        type: 'log',
        level: 'info',
        message: `packing ${spec.name} ${part} (${entries.length} entries)`,
      });
      const phase = {
        id: `pack:${spec.name}:${part}`,
        title: `packing ${spec.name} ${part}`,
        totalBytes: estimateTarBytes(entries),
      };
      const layer = await withProgress(session.reporter, phase, (onBytes) =>
        packLayer(entries, session.store, { mtimeSeconds: session.mtimeSeconds, onBytes }),
      );
      parts.push({ part, ...(target ? { target } : {}), layer });
    };
    await pack('app', await memberEntries(session.root, spec.dir, ''));
    // Native outputs travel in their own per-target parts, never twice.
    const nativePaths = new Set((options.native ?? []).flatMap((n) => n.entries.map((e) => e.path)));
    await pack(
      'deps',
      (await planDependencyEntries(session.root, session.lock, spec.dir)).filter((e) => !nativePaths.has(e.path)),
    );
    for (const native of options.native ?? []) await pack(`native-${native.target}`, native.entries, native.target);
    const record: BuildRecord = {
      schema: 'devkit.build-record/v1',
      name: spec.name,
      deployable: spec.dir,
      package: spec.packageName,
      commit: session.commit,
      dirty: session.dirty,
      lockfile: session.lockfileDigest,
      toolchain: session.toolchain,
      builders: session.builders,
      inputsDigest: planned.digest,
      inputs: planned.inputs,
    };
    const manifest = await writeArtifact(session.store, spec.name, record, parts);
    const summary = await summarize(session.store, spec, manifest, planned.digest);
    if (options.checkAgainst) {
      if (manifest.digest !== options.checkAgainst.digest) {
        const differences = await explainMismatch(session.store, options.checkAgainst.digest, manifest.digest);
        throw findingError(
          'E_NOT_REPRODUCIBLE',
          `${spec.name}: the same inputs (${planned.digest}) gave ${manifest.digest}, not ${options.checkAgainst.digest}:\n${differences.map((d) => `  ${d}`).join('\n')}`,
          {
            hint: 'make the build output deterministic (no timestamps, random names or absolute paths), then `devkit build --check-reproducible` again',
            details: { expected: options.checkAgainst.digest, actual: manifest.digest, differences },
          },
        );
      }
      return { ...summary, reused: true, reproducible: true };
    }
    await registerBuild(session.store, spec.name, manifest, planned.digest, session.now());
    const statement = provenanceStatement({ name: spec.name, digest: manifest.digest }, record, {
      ...session.provenance,
      startedOn: startedOn.toISOString(),
      finishedOn: session.now().toISOString(),
    });
    const provenance = await attachProvenance(session.store, spec.name, manifest, statement, session.now());
    return { ...summary, provenance: provenance.digest };
  } finally {
    await release();
  }
}

/** The summary `devkit build --json` prints for an artifact in the store. */
export async function summarize(
  store: OciStore,
  spec: DeployableSpec,
  manifest: Descriptor,
  inputs: Digest,
): Promise<BuiltArtifact> {
  const m = await readManifest(store, manifest.digest);
  const index = await store.readIndex();
  const provenance =
    index.manifests.find((d) => d.annotations?.['dev.devkit.subject'] === manifest.digest)?.digest ?? null;
  return {
    name: spec.name,
    deployable: spec.dir,
    digest: manifest.digest,
    size: manifest.size + m.config.size + m.layers.reduce((n, l) => n + l.size, 0),
    inputsDigest: inputs,
    reused: false,
    layers: m.layers.map((l) => ({
      part: l.annotations?.[ANNOTATIONS.part] ?? '?',
      digest: l.digest,
      diffId: l.annotations?.[ANNOTATIONS.diffId] ?? '',
      size: l.size,
      entries: Number(l.annotations?.[ANNOTATIONS.entries] ?? 0),
    })),
    provenance,
  };
}

/** Says what differs between two artifacts' contents: config fields, then layer entries. */
export async function explainMismatch(store: OciStore, a: Digest, b: Digest): Promise<string[]> {
  const ma: ArtifactManifest = await readManifest(store, a);
  const mb: ArtifactManifest = await readManifest(store, b);
  const out: string[] = [];
  if (ma.config.digest !== mb.config.digest) {
    const ra = await store.readJson<Record<string, unknown>>(ma.config.digest);
    const rb = await store.readJson<Record<string, unknown>>(mb.config.digest);
    for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      if (JSON.stringify(ra[key]) !== JSON.stringify(rb[key])) out.push(`build record field "${key}" differs`);
    }
  }
  const partOf = (d: Descriptor) => d.annotations?.[ANNOTATIONS.part] ?? d.digest;
  for (const la of ma.layers) {
    const lb = mb.layers.find((l) => partOf(l) === partOf(la));
    if (!lb) {
      out.push(`layer ${partOf(la)} exists only in ${a}`);
      continue;
    }
    if (la.digest === lb.digest) continue;
    if (la.annotations?.[ANNOTATIONS.diffId] === lb.annotations?.[ANNOTATIONS.diffId]) {
      out.push(
        `layer ${partOf(la)}: same tar (diff_id), different compression (${la.annotations?.[ANNOTATIONS.compression]} vs ${lb.annotations?.[ANNOTATIONS.compression]})`,
      );
      continue;
    }
    const [xa, xb] = [await listLayer(store, la.digest), await listLayer(store, lb.digest)];
    for (const d of diffListings(xa.entries, xb.entries).slice(0, 50)) {
      const describe = (e: typeof d.a) =>
        e
          ? `${e.type} mode ${e.mode.toString(8)} size ${e.size}${e.digest ? ` ${e.digest.slice(7, 19)}` : ''}${e.linkpath ? ` → ${e.linkpath}` : ''}`
          : 'absent';
      out.push(`layer ${partOf(la)}: ${d.path}: ${describe(d.a)} vs ${describe(d.b)}`);
    }
  }
  for (const lb of mb.layers)
    if (!ma.layers.some((l) => partOf(l) === partOf(lb))) out.push(`layer ${partOf(lb)} exists only in ${b}`);
  return out;
}
