import { listSnapshots, restoreSnapshot, saveSnapshot } from '@devkit/services';
import { loadProject } from '../context.js';
import type { snapshotRestoreSpec, snapshotSaveSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO, NoInput } from '../spec.js';
import { servicesOptions } from './services-common.js';

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `devkit snapshot save <name> [svc…]` */
export async function save(input: CommandInput<typeof snapshotSaveSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const info = await io.withInterrupt((signal) =>
    saveSnapshot({ ...servicesOptions(ctx, signal), name: input.args.name, names: input.args.services }),
  );
  return {
    exitCode: 0,
    data: { ok: true, snapshot: info },
    human: (s) => [
      `${s.green('✓')} snapshot ${info.name}: ${info.services.join(', ')} (${size(info.bytes)})${info.restarted.length ? s.dim(`; ${info.restarted.join(', ')} stopped for the copy and started again`) : ''}`,
    ],
  };
}

/** `devkit snapshot restore <name>` */
export async function restore(input: CommandInput<typeof snapshotRestoreSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const info = await io.withInterrupt((signal) =>
    restoreSnapshot({ ...servicesOptions(ctx, signal), name: input.args.name }),
  );
  return {
    exitCode: 0,
    data: { ok: true, snapshot: info },
    human: (s) => [
      `${s.green('✓')} restored ${info.name} (taken ${info.createdAt}): ${info.services.join(', ')}${info.restarted.length ? s.dim(`; ${info.restarted.join(', ')} started again`) : ''}`,
    ],
  };
}

/** `devkit snapshot ls` */
export async function ls(input: CommandInput<NoInput>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const snapshots = listSnapshots(ctx.root);
  return {
    exitCode: 0,
    data: { ok: true, snapshots },
    human: () =>
      snapshots.length === 0
        ? ['no snapshots (devkit snapshot save <name>)']
        : snapshots.map(
            (x) => `${x.name.padEnd(24)} ${x.createdAt}  ${size(x.bytes).padStart(9)}  ${x.services.join(', ')}`,
          ),
  };
}

export { save as run };
