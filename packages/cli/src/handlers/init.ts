import { resolve } from 'node:path';
import { findRoot } from '@devkit/config';
import { findLintStagedConfigs } from '@devkit/hooks';
import { findPnpm, pnpmVersion } from '@devkit/toolchain';
import { applyInit, planDiff, planInit, type InitFile } from '@devkit/init';
import type { initSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO, Style } from '../spec.js';

function fileLine(s: Style, f: InitFile, dryRun: boolean): string {
  const verb = dryRun
    ? { created: 'would create', updated: 'would update', unchanged: 'unchanged', skipped: 'skipped' }[f.action]
    : f.action;
  const mark = { created: s.green('+'), updated: s.yellow('~'), unchanged: s.dim('='), skipped: s.red('!') }[f.action];
  return `${mark} ${verb.padEnd(dryRun ? 12 : 9)} ${f.path}${f.reason ? s.dim(`  (${f.reason})`) : ''}`;
}

/** `devkit init [--dry-run] [--force]`: plan from what the repo has, then write (or show the diff). */
export async function run(input: CommandInput<typeof initSpec>, _io: HandlerIO): Promise<CommandResult> {
  const root = findRoot(resolve(input.cwd));
  const dryRun = input.flags['dry-run'] === true;
  // lint-staged's configs are found by the hook's own locator: what init carries over is what the hook runs.
  const lintStaged = await findLintStagedConfigs(root);
  const plan = await planInit({
    root,
    force: input.flags.force === true,
    lintStagedFiles: lintStaged.map((c) => c.file),
    pnpmOnPath: await pnpmVersion(findPnpm(process.env), root, process.env).catch(() => undefined),
  });
  const diff = dryRun ? planDiff(plan) : undefined;
  if (!dryRun) await applyInit(plan);
  const changed = plan.files.filter((f) => f.action === 'created' || f.action === 'updated');
  return {
    exitCode: 0,
    data: {
      ok: true,
      root,
      dryRun,
      files: plan.files.map((f) => ({ path: f.path, action: f.action, ...(f.reason ? { reason: f.reason } : {}) })),
      notes: plan.notes,
      ...(diff !== undefined ? { diff } : {}),
    },
    human: (s) => {
      const lines: string[] = [];
      if (diff) lines.push(diff.replace(/\n$/, ''), '');
      lines.push(...plan.files.map((f) => fileLine(s, f, dryRun)));
      if (plan.notes.length) lines.push('', ...plan.notes.map((n) => `- ${n}`));
      lines.push('');
      if (changed.length === 0) lines.push(`${s.green('✓')} nothing to change: devkit init has already run here`);
      else if (dryRun) lines.push(`dry run: ${changed.length} file(s) would change; run devkit init to write them`);
      else
        lines.push(
          `${s.green('✓')} wrote ${changed.map((f) => f.path).join(', ')}; next: pnpm install (runs devkit hooks install), then devkit bootstrap`,
        );
      return lines;
    },
  };
}
