import { usageError } from '@devkit/core';
import { HOOK_NAMES, closest, type HookName } from '@devkit/config';
import { DEFAULT_HOOKS } from '@devkit/hooks';
import { loadProject } from '../context.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const hook = String(input.args.hook);
  if (!(HOOK_NAMES as readonly string[]).includes(hook)) {
    const suggestion = closest(hook, HOOK_NAMES);
    throw usageError('E_UNKNOWN_HOOK', `unknown hook ${JSON.stringify(hook)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, { hint: `devkit hooks run ${suggestion ?? 'pre-commit'}` });
  }
  const ctx = await loadProject(input, io);
  const checks = ctx.config.hooks?.[hook as HookName] ?? DEFAULT_HOOKS[hook as HookName] ?? [];
  return {
    exitCode: 0,
    data: { ok: true, hook, checks: checks.map((name) => ({ name, status: 'pending' })) },
    human: () => [],
  };
}
