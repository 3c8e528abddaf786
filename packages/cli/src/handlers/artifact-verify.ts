import { verifyArtifact } from '@devkit/artifact';
import { loadProject } from '../context.js';
import type { artifactVerifySpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { openProjectStore, resolveInStore } from './artifact-common.js';

/** `devkit artifact verify <ref>`: every blob against its digest; exit 1 naming any corrupt or missing one. */
export async function run(input: CommandInput<typeof artifactVerifySpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const store = await openProjectStore(ctx);
  const { name, descriptor } = await resolveInStore(store, input.args.ref);
  const report = await verifyArtifact(store, await store.readIndex(), descriptor);
  return {
    exitCode: report.ok ? 0 : 1,
    data: { name, digest: descriptor.digest, ...report },
    human: (s) => [
      ...report.blobs.map((b) =>
        b.state === 'ok'
          ? s.dim(`  ✓ ${b.role} ${b.digest}`)
          : s.red(
              `  ✗ ${b.role} ${b.digest}: ${b.state}${b.state === 'corrupt' ? ` (its bytes hash to ${b.actual})` : ''}`,
            ),
      ),
      report.ok
        ? s.green(`${name}@${descriptor.digest}: ${report.blobs.length} blobs verified`)
        : s.red(`${name}@${descriptor.digest}: damaged — rebuild (\`devkit build\`) or pull it again`),
    ],
  };
}
