import { planSteps, runSteps } from '@devkit/core';
import { loadProject } from '../context.js';
import { formatDuration } from '../render.js';
import { bootstrapSteps } from '../steps.js';
import type { bootstrapSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput<typeof bootstrapSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const steps = bootstrapSteps({ services: !input.flags['no-services'] });
  const started = performance.now();
  if (input.flags['dry-run']) {
    const plan = await planSteps(steps, ctx, ctx.root);
    // A blocked step would stop the real run: the plan says so with exit 1, as build, promote and
    // rollback do for a refused plan.
    const blocked = plan.some((p) => p.status === 'blocked');
    return {
      exitCode: blocked ? 1 : 0,
      data: { ok: !blocked, dryRun: true, root: ctx.root, steps: plan },
      human: (s) =>
        plan.flatMap((p) => [
          `${p.status === 'up-to-date' ? s.dim('·') : p.status === 'blocked' ? s.red('✗') : s.yellow('→')} ${p.title.padEnd(14)} ${p.status}: ${p.summary}`,
          ...(p.status === 'blocked'
            ? p.problems
                .filter((problem) => problem.kind === 'blocking')
                .map((problem) => `  ${problem.message}${problem.fix ? `\n    ${s.dim('fix:')} ${problem.fix}` : ''}`)
            : []),
        ]),
    };
  }
  const reports = await runSteps(steps, ctx, { root: ctx.root, reporter: ctx.reporter });
  const durationMs = performance.now() - started;
  const ran = reports.filter((r) => r.status === 'done').length;
  return {
    exitCode: 0,
    data: { ok: true, root: ctx.root, durationMs, steps: reports },
    human: (s) => [
      s.dim(
        ran === 0
          ? `everything up to date (${formatDuration(durationMs)})`
          : `bootstrap done: ${ran} step(s) ran in ${formatDuration(durationMs)}`,
      ),
    ],
  };
}
