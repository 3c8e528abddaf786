import { pushArtifact } from '@devkit/registry';
import { loadProject } from '../context.js';
import type { artifactPushSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { formatBytes } from '../bytes.js';
import { openProjectStore, registryFromFlags, resolveInStore } from './artifact-common.js';

/** `devkit artifact push <ref> [--registry <url>]`: copies the blobs the registry lacks, then the manifest. */
export async function run(input: CommandInput<typeof artifactPushSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const store = await openProjectStore(ctx);
  const client = registryFromFlags(ctx, store, input.flags.registry);
  const { name, descriptor } = await resolveInStore(store, input.args.ref);
  await client.ping();
  const report = await pushArtifact(store, client, name, descriptor.digest, io.reporter);
  return {
    exitCode: 0,
    data: { ok: true, registry: client.label, repository: client.repo(name), ...report },
    human: (s) => [
      `${s.green('✓')} ${name}@${descriptor.digest} → ${client.label}/${client.repo(name)}: ${report.copied} of ${report.blobs} blobs uploaded (${formatBytes(report.bytes)}), ${report.skipped} already there`,
    ],
  };
}
