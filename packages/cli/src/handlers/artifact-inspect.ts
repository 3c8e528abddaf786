import {
  listLayer,
  readManifest,
  referrersOf,
  verifyArtifact,
  type BuildRecord,
  type LayerListing,
} from '@devkit/artifact';
import { loadProject } from '../context.js';
import type { artifactInspectSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { formatBytes } from '../bytes.js';
import { openProjectStore, resolveInStore } from './artifact-common.js';

/**
 * `devkit artifact inspect <ref>`: the manifest, the build record, the layers and the
 * provenance — with every blob's digest checked, so a damaged store shows here (exit 1).
 */
export async function run(input: CommandInput<typeof artifactInspectSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const store = await openProjectStore(ctx);
  const { name, descriptor } = await resolveInStore(store, input.args.ref);
  const index = await store.readIndex();
  const check = await verifyArtifact(store, index, descriptor);
  const damaged = check.blobs.filter((b) => b.state !== 'ok');
  let manifest = null;
  let record: BuildRecord | null = null;
  let provenance: unknown = null;
  if (!damaged.some((b) => b.role === 'manifest')) {
    manifest = await readManifest(store, descriptor.digest);
    if (!damaged.some((b) => b.role === 'manifest config'))
      record = await store.readJson<BuildRecord>(manifest.config.digest);
    const ref = referrersOf(index, descriptor.digest)[0];
    if (ref && !damaged.some((b) => b.role.startsWith('provenance'))) {
      const pm = await readManifest(store, ref.digest);
      if (pm.layers[0]) provenance = await store.readJson(pm.layers[0].digest);
    }
  }
  // --entries: every entry of every layer with its content digest (what differs when two builds do).
  let entries: Record<string, LayerListing[]> | undefined;
  if (input.flags.entries && manifest && damaged.length === 0) {
    entries = {};
    for (const layer of manifest.layers)
      entries[layer.annotations?.['dev.devkit.layer.part'] ?? layer.digest] = (
        await listLayer(store, layer.digest)
      ).entries;
  }
  return {
    exitCode: damaged.length > 0 ? 1 : 0,
    data: {
      name,
      digest: descriptor.digest,
      ok: damaged.length === 0,
      damaged,
      manifest,
      record,
      provenance,
      ...(entries ? { entries } : {}),
    },
    human: (s) => {
      const lines = [s.bold(`${name}@${descriptor.digest}`)];
      if (record) {
        lines.push(
          `  commit ${record.commit}${record.dirty ? s.yellow(' (dirty)') : ''}`,
          `  inputs ${record.inputsDigest}`,
          `  lockfile ${record.lockfile}`,
        );
        lines.push(
          `  toolchain ${Object.entries(record.toolchain)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
      }
      for (const layer of manifest?.layers ?? []) {
        lines.push(
          `  layer ${(layer.annotations?.['dev.devkit.layer.part'] ?? '?').padEnd(8)} ${layer.digest} ${formatBytes(layer.size)}`,
        );
      }
      const p = provenance as {
        predicate?: {
          runDetails?: { builder?: { id?: string }; metadata?: { finishedOn?: string } };
          buildDefinition?: { externalParameters?: { ref?: string } };
        };
      } | null;
      if (p)
        lines.push(
          `  provenance: built by ${p.predicate?.runDetails?.builder?.id} from ${p.predicate?.buildDefinition?.externalParameters?.ref ?? 'no ref'} at ${p.predicate?.runDetails?.metadata?.finishedOn}`,
        );
      for (const [part, list] of Object.entries(entries ?? {})) {
        for (const e of list)
          lines.push(
            s.dim(
              `    ${part} ${e.mode.toString(8).padStart(4, '0')} ${String(e.size).padStart(9)} ${e.digest ? e.digest.slice(7, 19) : '            '} ${e.path}${e.linkpath ? ` -> ${e.linkpath}` : ''}`,
            ),
          );
      }
      for (const b of damaged)
        lines.push(
          s.red(`  ✗ ${b.role} ${b.digest}: ${b.state}${b.state === 'corrupt' ? ` (hashes to ${b.actual})` : ''}`),
        );
      return lines;
    },
  };
}
