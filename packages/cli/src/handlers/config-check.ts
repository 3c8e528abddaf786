import { loadProject } from '../context.js';
import type { CommandInput, NoInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput<NoInput>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  return {
    exitCode: 0,
    data: { ok: true, file: ctx.configFound ? ctx.configFile : null, config: ctx.config },
    human: (s) => [ctx.configFound ? `${s.green('✓')} ${ctx.configFile} is valid` : `no devkit.json: defaults apply`],
  };
}
