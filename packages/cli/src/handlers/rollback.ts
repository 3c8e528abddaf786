import { parseDigest, shortDigest } from '@devkit/artifact';
import { actorLabel, applyPromotion, notifyPromotionFailure, planRollback } from '@devkit/environments';
import type { rollbackSpec } from '../commands.js';
import { recordPromotion } from '../ci/promotion.js';
import { loadProject } from '../context.js';
import { actorOf, applyPorts, promotionPorts, renderPlan, reportWebhooks, webhookPort } from '../flows/promotion.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { environmentConfig, openProjectStore, requireKnownName } from './artifact-common.js';

/** `devkit rollback <name> --env <env> [--to <digest>]`: a pointer move back, recorded like a promote; --dry-run prints the plan. */
export async function run(input: CommandInput<typeof rollbackSpec>, io: HandlerIO): Promise<CommandResult> {
  const started = performance.now();
  const ctx = await loadProject(input, io);
  const name = input.args.name;
  const env = input.flags.env;
  const to = input.flags.to !== undefined ? parseDigest(input.flags.to, '--to') : undefined;
  const reason = input.flags.reason?.trim() || null;
  environmentConfig(ctx, env);
  // Read without creating: a repo with no store yet gets the unknown-name error and no empty store.
  await requireKnownName(await openProjectStore(ctx, { create: false }), name);
  const ports = await promotionPorts(ctx, env);
  const who = await actorOf(ctx);
  const request = { name, environment: env, to, reason, who };
  if (input.flags['dry-run'] === true) return renderPlan(await planRollback(request, ports));
  try {
    const plan = await planRollback(request, ports);
    const recorded = recordPromotion(io.ci, plan, { actor: actorLabel(who), forced: false, reason });
    const { result, webhooks } = await applyPromotion(plan, applyPorts(ctx, io, ports, started));
    recorded(result.noop ? 'noop' : 'moved', result.from);
    reportWebhooks(io, webhooks);
    const target = plan.digest;
    return {
      exitCode: 0,
      data: {
        ok: true,
        name,
        environment: env,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...result,
        webhooks,
      },
      human: (s) => [
        result.noop
          ? `${name}:${env} is already ${target}: nothing to do`
          : `${s.green('✓')} ${name}:${env} rolled back ${result.from ? shortDigest(result.from) : '?'} → ${shortDigest(target)} (entry ${result.entry?.entry.sequence})`,
      ],
    };
  } catch (error) {
    reportWebhooks(
      io,
      await notifyPromotionFailure(
        webhookPort(ctx),
        { action: 'rollback', name, environment: env, to: to ?? null, who, started },
        error,
      ),
    );
    throw error;
  }
}
