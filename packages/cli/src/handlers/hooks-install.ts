import { installHooks } from '@devkit/hooks';
import { loadProject } from '../context.js';
import type { CommandInput, NoInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput<NoInput>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const result = await installHooks(ctx);
  if (input.env.HUSKY === '0')
    io.notice('HUSKY=0 is set: the hooks are installed but git will not run them until it is unset');
  return {
    exitCode: 0,
    data: { ok: true, ...result },
    human: (s) => [
      `${s.green('✓')} hooks installed (core.hooksPath = ${result.hooksPath})${result.written.length ? `; wrote ${result.written.join(', ')}` : ''}`,
    ],
  };
}
