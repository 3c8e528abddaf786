import { DEFAULT_HOOKS, runHookChecks, type CheckScope } from '@devkit/hooks';
import { recordHookFindings } from '../ci/findings.js';
import { loadProject } from '../context.js';
import type { lintSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { loadChecks } from './hooks-checks.js';
import { renderHookReport } from './lint-render.js';

/** Pure: the files `devkit lint` looks at, from its flags (the parser refuses both at once). */
export function lintScope(flags: CommandInput<typeof lintSpec>['flags']): CheckScope {
  if (flags.since !== undefined) return { kind: 'since', ref: flags.since };
  if (flags.staged) return { kind: 'staged' };
  return { kind: 'all' };
}

/**
 * The pre-commit hook's checks, for CI: same lint-staged tasks, same lockfile check, but
 * nothing is fixed or written — every problem is reported and the exit code is 1. This is what
 * catches a commit made with --no-verify.
 */
export async function run(input: CommandInput<typeof lintSpec>, io: HandlerIO): Promise<CommandResult> {
  const scope = lintScope(input.flags);
  const ctx = await loadProject(input, io);
  const names = ctx.config.hooks?.['pre-commit'] ?? DEFAULT_HOOKS['pre-commit'] ?? [];
  const report = await runHookChecks({
    root: ctx.root,
    scope,
    fix: false,
    lintStaged: names.includes('lint-staged') || names.includes('lint'),
    checks: loadChecks(names, { config: ctx.config, env: input.env }),
    env: input.env,
  });
  const ok = !report.findings.some((f) => f.severity === 'error');
  recordHookFindings(io.ci, 'lint', ctx.root, report.findings);
  return {
    exitCode: ok ? 0 : 1,
    data: { ok, ...report },
    human: (s) => renderHookReport('lint', report, s),
  };
}
