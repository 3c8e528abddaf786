import { collectGarbage } from '@devkit/artifact';
import { historyRoots } from '@devkit/environments';
import { loadProject } from '../context.js';
import type { artifactGcSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { formatBytes } from '../bytes.js';
import { openProjectStore } from './artifact-common.js';

/**
 * `devkit artifact gc [--prune] [--keep-builds N] [--dry-run]`: removes blobs nothing points
 * to. With --prune, also forgets old builds — never one an environment points to or has
 * pointed to within its last N history entries (artifacts.keep).
 */
export async function run(input: CommandInput<typeof artifactGcSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const store = await openProjectStore(ctx);
  const roots = await historyRoots(store, ctx.config.artifacts?.keep ?? 10);
  const result = await collectGarbage(store, {
    prune: input.flags.prune,
    keepBuilds: input.flags['keep-builds'],
    roots,
    dryRun: input.flags['dry-run'],
  });
  return {
    exitCode: 0,
    data: { store: store.root, ...result },
    human: (s) => [
      `${input.flags['dry-run'] ? 'would remove' : 'removed'} ${result.removedBlobs.length} blobs (${formatBytes(result.freedBytes)}), ${result.droppedEntries} old builds, ${result.removedTemp} unfinished writes`,
      ...(result.skippedSweep
        ? [
            s.yellow(
              `blobs not swept: pid ${result.skippedSweep.pids.join(', ')} is writing to the store; run gc again when it is done`,
            ),
          ]
        : []),
    ],
  };
}
