import { configuredTargets, formatEnv, serviceEnv } from '@devkit/services';
import { loadProject } from '../context.js';
import type { envSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput<typeof envSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const targets = configuredTargets(ctx.root, ctx.config);
  if (targets.length === 0) io.notice('devkit.json declares no services: no variables to print');
  const vars = await serviceEnv(ctx.root, targets);
  const text = formatEnv(vars, input.flags.format);
  return { exitCode: 0, data: vars, human: () => (text ? [text] : []) };
}
