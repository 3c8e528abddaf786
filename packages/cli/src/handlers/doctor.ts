import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { planSteps, usageError } from '@devkit/core';
import { describePins, readPins } from '@devkit/toolchain';
import { loadProject } from '../context.js';
import { bootstrapSteps } from '../steps.js';
import type { CommandInput, NoInput, CommandResult, HandlerIO } from '../spec.js';

/** What makes a folder (or one above it) a repo doctor can check. */
const REPO_MARKERS = ['devkit.json', 'pnpm-workspace.yaml', 'package.json', '.git'];

/**
 * Doctor checks a repo; anywhere else every step would look fine for want of anything to check,
 * and "no problems found" would be a false all-clear. So a folder with none of the markers in it
 * or above is a usage error.
 */
function requireRepo(cwd: string): void {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (REPO_MARKERS.some((name) => existsSync(join(dir, name)))) return;
    if (dirname(dir) === dir) break;
  }
  throw usageError(
    'E_NOT_A_REPO',
    `${cwd} is not in a repo: no ${REPO_MARKERS.slice(0, -1).join(', ')} or ${REPO_MARKERS.at(-1)} in it or above`,
    {
      hint: 'run `devkit doctor` inside the repo, or `devkit doctor --cwd <repo>`',
    },
  );
}

export async function run(input: CommandInput<NoInput>, io: HandlerIO): Promise<CommandResult> {
  requireRepo(input.cwd);
  const ctx = await loadProject(input, io);
  const plan = await planSteps(bootstrapSteps({ services: true }), ctx, ctx.root);
  const problems = plan.flatMap((entry) => entry.problems.map((p) => ({ step: entry.id, ...p })));
  const ok = plan.every((entry) => entry.status === 'up-to-date') && problems.length === 0;
  // Which file asks for which node and pnpm, whether or not the step found a problem.
  const pins = readPins(ctx.root, ctx.config);
  const pinLines = describePins(pins);
  return {
    exitCode: ok ? 0 : 1,
    data: {
      ok,
      root: ctx.root,
      config: ctx.configFound ? ctx.configFile : null,
      checks: plan,
      problems,
      toolchain: {
        pins: pins.pins.map((p) => ({
          tool: p.tool,
          file: p.file,
          key: p.key ?? null,
          value: p.raw,
          kind: p.strength,
        })),
      },
    },
    human: (s) => {
      const lines = plan.map((entry) => {
        const mark =
          entry.status === 'up-to-date' && entry.problems.length === 0
            ? s.green('✓')
            : entry.status === 'blocked'
              ? s.red('✗')
              : s.yellow('!');
        const line = `${mark} ${entry.title.padEnd(14)} ${entry.summary}`;
        return entry.id === 'toolchain' && pinLines.length > 0
          ? [line, ...pinLines.map((pin) => `  ${s.dim(pin)}`)].join('\n')
          : line;
      });
      for (const p of problems)
        lines.push(`  ${s.bold(p.step)}: ${p.message}${p.fix ? `\n    ${s.dim('fix:')} ${p.fix}` : ''}`);
      lines.push(
        ok
          ? s.green('no problems found')
          : s.yellow(`${problems.length || 'some'} problem(s): \`devkit bootstrap\` fixes the ones marked !`),
      );
      return lines;
    },
  };
}
