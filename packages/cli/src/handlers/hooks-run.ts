import { isDevkitError, usageError } from '@devkit/core';
import { HOOK_NAMES, closest, type HookName } from '@devkit/config';
import { DEFAULT_HOOKS, runHookChecks, type CheckScope } from '@devkit/hooks';
import { recordHookFindings } from '../ci/findings.js';
import { loadProject } from '../context.js';
import type { hooksRunSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { loadChecks } from './hooks-checks.js';
import { renderHookReport } from './lint-render.js';

/** pre-push looks at what is about to be pushed (since the upstream); the others at the index. */
function scopeOf(hook: HookName): CheckScope {
  return hook === 'pre-push' ? { kind: 'since', ref: '@{upstream}' } : { kind: 'staged' };
}

export async function run(input: CommandInput<typeof hooksRunSpec>, io: HandlerIO): Promise<CommandResult> {
  const hook = HOOK_NAMES.find((name) => name === input.args.hook);
  if (hook === undefined) {
    const suggestion = closest(input.args.hook, HOOK_NAMES);
    throw usageError(
      'E_UNKNOWN_HOOK',
      `unknown hook ${JSON.stringify(input.args.hook)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
      { hint: `devkit hooks run ${suggestion ?? 'pre-commit'}` },
    );
  }
  const ctx = await loadProject(input, io);
  const names = ctx.config.hooks?.[hook] ?? DEFAULT_HOOKS[hook] ?? [];
  if (names.length === 0) return { exitCode: 0, data: { ok: true, hook, checks: [] }, human: () => [] };
  const scope = scopeOf(hook);
  let report;
  try {
    report = await runHookChecks({
      root: ctx.root,
      scope,
      // `lint-staged` fixes what it can and re-stages it; `lint` only reports.
      fix: names.includes('lint-staged'),
      lintStaged: names.includes('lint-staged') || names.includes('lint'),
      checks: loadChecks(names, { config: ctx.config, env: input.env, hookArgs: input.args.hookArgs }),
      env: input.env,
    });
  } catch (error) {
    // A branch pushed for the first time has no upstream to compare with: CI checks it.
    if (scope.kind !== 'since' || !isDevkitError(error) || error.code !== 'E_BAD_REF') throw error;
    io.notice(
      `${hook}: this branch has no upstream yet, so there is nothing to compare with; CI runs devkit lint on it`,
    );
    return { exitCode: 0, data: { ok: true, hook, skipped: 'no upstream' }, human: () => [] };
  }
  const ok = !report.findings.some((f) => f.severity === 'error');
  recordHookFindings(io.ci, `hooks run ${hook}`, ctx.root, report.findings);
  return {
    exitCode: ok ? 0 : 1,
    data: { ok, hook, ...report },
    human: (s) => renderHookReport(hook, report, s),
  };
}
