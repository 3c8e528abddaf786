import { followFile, selectTargets, tailFile } from '@devkit/services';
import { loadProject } from '../context.js';
import type { logsSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput<typeof logsSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const [target] = selectTargets(ctx.root, ctx.config, [input.args.service], 'logs');
  const lines = await tailFile(target!.paths.log, input.flags.lines);
  if (!input.flags.follow || input.json) {
    return {
      exitCode: 0,
      data: { ok: true, service: target!.kind, log: target!.paths.log, lines },
      human: () => lines,
    };
  }
  // Following streams until Ctrl-C: the one handler that writes as it goes, like `tail -f`.
  if (lines.length > 0) io.write(`${lines.join('\n')}\n`);
  await io.withInterrupt((signal) =>
    followFile(target!.paths.log, (batch) => io.write(`${batch.join('\n')}\n`), signal),
  );
  return { exitCode: 0, data: { ok: true }, human: () => [] };
}
