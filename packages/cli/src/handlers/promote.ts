import { actorLabel, applyPromotion, notifyPromotionFailure, planPromotion } from '@devkit/environments';
import { parseRef, shortDigest } from '@devkit/artifact';
import { usageError } from '@devkit/core';
import type { promoteSpec } from '../commands.js';
import { recordPromotion } from '../ci/promotion.js';
import { loadProject } from '../context.js';
import { actorOf, applyPorts, promotionPorts, renderPlan, reportWebhooks, webhookPort } from '../flows/promotion.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { environmentConfig, openProjectStore, requireKnownName } from './artifact-common.js';

/**
 * `devkit promote <name>@<digest> --to <env>`: points the environment at those bytes (never a
 * rebuild), after the gates: `from` (the digest must have been in that environment; --force
 * --reason overrides) and `require` (trusted builder and protected ref; nothing overrides).
 * With --dry-run it prints the plan and changes nothing (exit 1 when a gate refuses).
 */
export async function run(input: CommandInput<typeof promoteSpec>, io: HandlerIO): Promise<CommandResult> {
  const started = performance.now();
  const ctx = await loadProject(input, io);
  const ref = parseRef(input.args.ref);
  if (ref.kind !== 'digest' || !ref.name) {
    throw usageError('E_BAD_REF', `promote takes <name>@sha256:<digest>, got "${input.args.ref}"`, {
      hint: 'the digests are in `devkit artifact ls` or `devkit build --json`',
    });
  }
  const env = input.flags.to;
  const force = input.flags.force === true;
  const reason = input.flags.reason?.trim() || null;
  if (force && !reason)
    throw usageError(
      'E_FORCE_WITHOUT_REASON',
      '--force needs --reason "…": a forced promotion says why in the history',
      { hint: `add --reason "hotfix for …"` },
    );
  const envConfig = environmentConfig(ctx, env);
  // Read without creating: a repo with no store yet gets the unknown-name error and no empty store.
  await requireKnownName(await openProjectStore(ctx, { create: false }), ref.name);
  const who = await actorOf(ctx);
  const { name, digest } = ref;
  const request = {
    name,
    environment: env,
    digest,
    force,
    reason,
    who,
    from: envConfig.from,
    require: envConfig.require,
  };
  if (input.flags['dry-run'] === true) return renderPlan(await planPromotion(request, await promotionPorts(ctx, env)));
  try {
    const ports = await promotionPorts(ctx, env);
    const plan = await planPromotion(request, ports);
    const recorded = recordPromotion(io.ci, plan, { actor: actorLabel(who), forced: force, reason });
    const { result, pushed, webhooks } = await applyPromotion(plan, applyPorts(ctx, io, ports, started));
    recorded(result.noop ? 'noop' : 'moved', result.from);
    reportWebhooks(io, webhooks);
    return {
      exitCode: 0,
      data: {
        ok: true,
        name,
        environment: env,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...result,
        pushed,
        webhooks,
      },
      human: (s) => [
        ...(result.repairedTag
          ? [
              s.yellow(
                `${name}:${env} lagged its history (an interrupted run): moved it to ${shortDigest(result.repairedTag)} first`,
              ),
            ]
          : []),
        result.noop
          ? `${name}:${env} is already ${digest}: nothing to do`
          : `${s.green('✓')} ${name}:${env} ${result.from ? shortDigest(result.from) : '(new)'} → ${shortDigest(digest)}${force ? s.yellow(' (forced)') : ''} (entry ${result.entry?.entry.sequence})`,
      ],
    };
  } catch (error) {
    reportWebhooks(
      io,
      await notifyPromotionFailure(
        webhookPort(ctx),
        { action: 'promote', name, environment: env, to: digest, who, started },
        error,
      ),
    );
    throw error;
  }
}
