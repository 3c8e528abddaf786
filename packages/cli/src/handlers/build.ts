import { actorLabel, resolveActor, sendWebhooks, type DevkitEvent, type WebhookResult } from '@devkit/environments';
import { shortDigest } from '@devkit/artifact';
import type { ProjectContext } from '@devkit/config';
import type { buildSpec } from '../commands.js';
import { recordBuild } from '../ci/build.js';
import { loadProject } from '../context.js';
import { applyBuild, describeBuildPlan, planBuild } from '../flows/build.js';
import { reportWebhooks, webhookPort } from '../flows/promotion.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { formatBytes } from '../bytes.js';

/**
 * `devkit build`: turbo builds the workspace, native builds follow, then each deployable is
 * packed into an artifact — unless the store already holds one built from identical inputs.
 * With --dry-run it prints the plan and builds nothing (exit 1 when the plan is refused).
 */
export async function run(input: CommandInput<typeof buildSpec>, io: HandlerIO): Promise<CommandResult> {
  const started = performance.now();
  const ctx = await loadProject(input, io);
  const options = {
    allowDirty: input.flags['allow-dirty'] === true,
    checkReproducible: input.flags['check-reproducible'] === true,
    reporter: io.reporter,
  };
  if (input.flags['dry-run'] === true) {
    const { plan } = await planBuild(ctx, { ...options, detail: true, forApply: false });
    return {
      exitCode: plan.git.blocks ? 1 : 0,
      data: { ok: !plan.git.blocks, dryRun: true, plan },
      human: (s) => describeBuildPlan(plan).map((l) => (l.startsWith(' ') ? l : s.bold(l))),
    };
  }
  try {
    const prepared = await planBuild(ctx, { ...options, detail: false, forApply: true });
    const ci = recordBuild(io.ci, prepared.plan, io.reporter);
    const artifacts = await applyBuild(ctx, prepared, ci.reporter);
    ci.built(artifacts);
    const webhooks: WebhookResult[] = [];
    for (const a of artifacts) {
      if (a.reused && !a.reproducible) continue;
      webhooks.push(
        ...(await notify(ctx, io, {
          kind: 'build',
          outcome: 'success',
          name: a.name,
          environment: null,
          from: null,
          to: a.digest,
          commits: { from: null, to: prepared.plan.git.commit },
          durationMs: performance.now() - started,
        })),
      );
    }
    return {
      exitCode: 0,
      data: {
        ok: true,
        commit: prepared.plan.git.commit,
        dirty: prepared.plan.git.dirty,
        store: prepared.plan.store,
        turbo: prepared.plan.turbo
          ? {
              source: prepared.plan.turbo.turbo.source,
              version: prepared.plan.turbo.turbo.version,
              config: prepared.plan.turbo.config.path,
              packageManager: prepared.plan.turbo.packageManager.declared,
            }
          : null,
        unignored: prepared.plan.unignored,
        artifacts,
        webhooks,
      },
      human: (s) =>
        artifacts.flatMap((r) => [
          `${s.green('✓')} ${s.bold(`${r.name}@${r.digest}`)} ${formatBytes(r.size)}${r.reused ? s.dim(r.reproducible ? ' (rebuilt: bit-for-bit identical)' : ' (reused: inputs unchanged)') : ''}`,
          ...r.layers.map((l) =>
            s.dim(
              `    ${l.part.padEnd(8)} ${shortDigest(l.digest)} ${formatBytes(l.size).padStart(10)}  ${l.entries} entries`,
            ),
          ),
        ]),
    };
  } catch (error) {
    const name = (ctx.config.artifacts?.deployables ?? []).join(', ');
    await notify(ctx, io, {
      kind: 'build',
      outcome: 'failure',
      name,
      environment: null,
      from: null,
      to: null,
      commits: { from: null, to: null },
      durationMs: performance.now() - started,
      error: (error as Error).message,
    });
    throw error;
  }
}

/** Tells devkit.json's webhooks about the build; undelivered ones become notices. */
async function notify(
  ctx: ProjectContext,
  io: HandlerIO,
  event: Omit<DevkitEvent, 'source' | 'actor'>,
): Promise<WebhookResult[]> {
  const port = webhookPort(ctx);
  if (!port) return [];
  const results = await sendWebhooks(
    port.targets,
    { ...event, actor: actorLabel(await resolveActor(ctx.root, ctx.env)), source: port.source },
    { env: port.env, budgetMs: port.budgetMs },
  );
  reportWebhooks(io, results);
  return results;
}
