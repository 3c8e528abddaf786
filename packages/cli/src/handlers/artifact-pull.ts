import { parseRef } from '@devkit/artifact';
import { pullArtifact } from '@devkit/registry';
import { usageError } from '@devkit/core';
import { loadProject } from '../context.js';
import type { artifactPullSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { formatBytes } from '../bytes.js';
import { openProjectStore, registryFromFlags } from './artifact-common.js';

/** `devkit artifact pull <name>@<digest|tag> [--registry <url>]`: copies the blobs the local store lacks, each checked. */
export async function run(input: CommandInput<typeof artifactPullSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const store = await openProjectStore(ctx);
  const client = registryFromFlags(ctx, store, input.flags.registry);
  const ref = parseRef(input.args.ref);
  if (ref.kind === 'latest' || (ref.kind === 'digest' && !ref.name))
    throw usageError('E_BAD_REF', 'pull takes <name>@sha256:<digest> or <name>:<tag>', {
      hint: 'e.g. devkit artifact pull api:production --registry http://127.0.0.1:5000',
    });
  const name = ref.name!;
  await client.ping();
  const digest = ref.kind === 'digest' ? ref.digest : await client.resolveTag(client.repo(name), ref.tag);
  if (!digest) {
    const { findingError } = await import('@devkit/core');
    throw findingError(
      'E_ARTIFACT_NOT_FOUND',
      `${name}:${ref.kind === 'tag' ? ref.tag : ''} is not in ${client.label}`,
      { hint: 'list tags with your registry tooling, or push the artifact first' },
    );
  }
  const report = await pullArtifact(client, store, name, digest, io.reporter);
  return {
    exitCode: 0,
    data: { ok: true, registry: client.label, ...report },
    human: (s) => [
      `${s.green('✓')} ${client.label}/${client.repo(name)}@${digest} → local store: ${report.copied} of ${report.blobs} blobs downloaded (${formatBytes(report.bytes)}), ${report.skipped} already there`,
    ],
  };
}
