import { hooksLayout, installHooks } from '@devkit/hooks';
import { loadProject } from '../context.js';
import type { CommandInput, NoInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput<NoInput>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  // Run by a package's `prepare` script (pnpm install) in a folder that is no git checkout — a
  // Docker build context, an unpacked tarball — there is nothing to install, and failing the
  // install over it would break builds that never commit (husky does the same).
  if (input.env.npm_lifecycle_event === 'prepare' && !hooksLayout(ctx.root)) {
    return {
      exitCode: 0,
      data: { ok: true, skipped: 'not a git repository' },
      human: () => [`${ctx.root} is not a git checkout: no git hooks to install`],
    };
  }
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
