import { resetService, selectTargets } from '@devkit/services';
import { loadProject } from '../context.js';
import { formatDuration } from '../render.js';
import type { resetSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { confirmDeletion, servicesOptions } from './services-common.js';

export async function run(input: CommandInput<typeof resetSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const name = input.args.service;
  const [target] = selectTargets(ctx.root, ctx.config, [name], 'reset');
  await confirmDeletion(
    input.flags.yes,
    io,
    `reset deletes all data of ${target!.kind} (.devkit/services/${target!.paths.dirName})`,
    `devkit reset ${target!.kind} --yes`,
  );
  const result = await io.withInterrupt((signal) =>
    resetService({ ...servicesOptions(ctx, signal), name: target!.kind }),
  );
  return {
    exitCode: 0,
    data: { ok: true, ...result },
    human: (s) => [
      `${s.green('✓')} ${result.name}: data deleted${result.restarted ? `; started again empty on ${result.restarted.url} ${s.dim(`(${formatDuration(result.restarted.durationMs)})`)}` : ' (it was not running; `devkit up` starts it empty)'}`,
      ...(result.restarted?.actions ?? []).map((a) => `  ${s.dim(a)}`),
    ],
  };
}
