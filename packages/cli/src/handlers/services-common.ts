import { usageError } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import type { ServicesOptions } from '@devkit/services';
import type { HandlerIO } from '../spec.js';

export function servicesOptions(ctx: ProjectContext, signal?: AbortSignal): ServicesOptions {
  return { root: ctx.root, config: ctx.config, env: ctx.env, reporter: ctx.reporter, signal };
}

/**
 * Asks before deleting data: `--yes` answers for the user; on a terminal devkit asks; anywhere
 * else (CI, a pipe) it refuses with the command that says yes.
 */
export async function confirmDeletion(yes: boolean, io: HandlerIO, what: string, yesCommand: string): Promise<void> {
  if (yes) return;
  const answer = await io.ask(`${what}. Continue? [y/N] `);
  if (answer === undefined)
    throw usageError(
      'E_CONFIRMATION_NEEDED',
      `${what}: this needs a confirmation, and there is no terminal to ask on`,
      { hint: yesCommand },
    );
  if (/^y(es)?$/i.test(answer.trim())) return;
  throw usageError('E_NOT_CONFIRMED', `not confirmed: ${what} — nothing was deleted`, { hint: yesCommand });
}

export function formatUptime(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
