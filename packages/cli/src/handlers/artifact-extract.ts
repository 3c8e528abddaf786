import { findingError } from '@devkit/core';
import { extractLayers, readManifest, verifyArtifact } from '@devkit/artifact';
import { resolve } from 'node:path';
import { loadProject } from '../context.js';
import type { artifactExtractSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { openProjectStore, resolveInStore } from './artifact-common.js';

/**
 * `devkit artifact extract <ref> <dir>`: verifies every blob first, then unpacks the layers
 * with the safety rules of ExtractGuard; the folder appears only when all of it is good.
 */
export async function run(input: CommandInput<typeof artifactExtractSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const store = await openProjectStore(ctx);
  const { name, descriptor } = await resolveInStore(store, input.args.ref);
  const report = await verifyArtifact(store, await store.readIndex(), descriptor);
  const bad = report.blobs.filter((b) => b.state !== 'ok' && !b.role.startsWith('provenance'));
  if (bad.length > 0) {
    throw findingError(
      'E_BLOB_CORRUPT',
      `refusing to extract ${name}@${descriptor.digest}: ${bad.map((b) => `${b.role} ${b.digest} is ${b.state}`).join('; ')}`,
      {
        hint: 'rebuild (`devkit build`) or pull the artifact again, then retry',
        details: { damaged: bad },
      },
    );
  }
  const manifest = await readManifest(store, descriptor.digest);
  const target = resolve(input.cwd, input.args.dir);
  const counts = await extractLayers(
    store,
    manifest.layers.map((l) => ({
      digest: l.digest,
      diffId: l.annotations?.['dev.devkit.layer.diff-id'],
      part: l.annotations?.['dev.devkit.layer.part'] ?? l.digest,
    })),
    target,
  );
  return {
    exitCode: 0,
    data: { name, digest: descriptor.digest, target, ...counts },
    human: (s) => [
      `${s.green('✓')} ${name}@${descriptor.digest} → ${target} (${counts.files} files, ${counts.dirs} folders, ${counts.links} links)`,
    ],
  };
}
