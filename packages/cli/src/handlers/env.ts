import { configuredTargets, ENV_FORMATS, formatEnv, serviceEnv, type EnvFormat } from '@devkit/services';
import { loadProject } from '../context.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const format = (typeof input.flags.format === 'string' ? input.flags.format : 'dotenv') as EnvFormat;
  const targets = configuredTargets(ctx.root, ctx.config);
  if (targets.length === 0) io.notice('devkit.json declares no services: no variables to print');
  const vars = await serviceEnv(ctx.root, targets);
  const text = formatEnv(vars, ENV_FORMATS.includes(format) ? format : 'dotenv');
  return { exitCode: 0, data: vars, human: () => (text ? [text] : []) };
}
