import { parseDigest, shortDigest } from '@devkit/artifact';
import { planRollback } from '@devkit/environments';
import { usageError } from '@devkit/core';
import { loadProject } from '../context.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { actor, environmentBackend, moveAndNotify, notifyMoveFailure, openProjectStore, requireKnownName } from './artifact-common.js';

/** `devkit rollback <name> --env <env> [--to <digest>]`: a pointer move back, recorded like a promote. */
export async function run(input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const started = performance.now();
  const ctx = await loadProject(input, io);
  const name = String(input.args.name);
  const env = typeof input.flags.env === 'string' ? input.flags.env : '';
  if (!env) throw usageError('E_MISSING_FLAG', 'rollback needs --env <env>', { hint: `devkit rollback ${name} --env production` });
  const to = typeof input.flags.to === 'string' ? parseDigest(input.flags.to, '--to') : undefined;
  const reason = typeof input.flags.reason === 'string' && input.flags.reason.trim() ? input.flags.reason.trim() : null;
  const backend = await environmentBackend(ctx, env);
  const store = await openProjectStore(ctx);
  await requireKnownName(store, name);
  const who = await actor(ctx);
  try {
    const target = await planRollback(backend, name, env, to);
    const { result, webhooks } = await moveAndNotify(ctx, io, store, backend, { name, env, to: target, action: 'rollback', reason, forced: false, who }, started);
    return {
      exitCode: 0,
      data: { ok: true, name, environment: env, durationMs: Math.round((performance.now() - started) * 10) / 10, ...result, webhooks },
      human: (s) => [result.noop ? `${name}:${env} is already ${target}: nothing to do` : `${s.green('✓')} ${name}:${env} rolled back ${result.from ? shortDigest(result.from) : '?'} → ${shortDigest(target)} (entry ${result.entry?.entry.sequence})`],
    };
  } catch (error) {
    await notifyMoveFailure(ctx, io, { kind: 'rollback', name, env, to: to ?? null, who, started }, error);
    throw error;
  }
}
