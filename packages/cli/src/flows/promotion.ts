import { basename } from 'node:path';
import {
  resolveActor,
  actorLabel,
  type ApplyPromotionPorts,
  type PromotionPlan,
  type PromotionPorts,
  type WebhookPort,
} from '@devkit/environments';
import { shortDigest } from '@devkit/artifact';
import { redactUrlCredentials } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import type { CommandResult, HandlerIO } from '../spec.js';
import { devkitVersion, environmentBackend, environmentConfig, openProjectStore } from '../handlers/artifact-common.js';

/** The ports a promotion of `env` plans against: the local store, the environment, and its `from` environment. */
export async function promotionPorts(ctx: ProjectContext, env: string): Promise<PromotionPorts> {
  const config = environmentConfig(ctx, env);
  const store = await openProjectStore(ctx);
  const target = await environmentBackend(ctx, env);
  const source = config.from ? await environmentBackend(ctx, config.from) : undefined;
  return {
    store,
    target: { backend: target, client: target.client },
    source: source ? { backend: source, client: source.client } : undefined,
  };
}

/** What applying needs beyond planning: devkit's version, the clock, the reporter, the webhooks. */
export function applyPorts(
  ctx: ProjectContext,
  io: HandlerIO,
  ports: PromotionPorts,
  started: number,
): ApplyPromotionPorts {
  return {
    ...ports,
    devkitVersion: devkitVersion(),
    now: () => new Date(),
    reporter: io.reporter,
    webhooks: webhookPort(ctx),
    started,
  };
}

/** devkit.json notify.webhooks as a port; undefined when there are none. */
export function webhookPort(ctx: ProjectContext): WebhookPort | undefined {
  const targets = ctx.config.notify?.webhooks ?? [];
  if (targets.length === 0) return undefined;
  const budget = Number(ctx.env.DEVKIT_WEBHOOK_BUDGET_MS ?? 5000);
  return {
    targets,
    source: `devkit://${basename(ctx.root)}`,
    env: ctx.env,
    budgetMs: Number.isFinite(budget) && budget > 0 ? budget : 5000,
  };
}

/** Webhooks that could not be delivered become notices, never errors. */
export function reportWebhooks(
  io: HandlerIO,
  results: ReadonlyArray<{ ok: boolean; url: string; attempts: number; error: string | null }>,
): void {
  for (const r of results)
    if (!r.ok) io.notice(`webhook ${redactUrlCredentials(r.url)} failed after ${r.attempts} attempt(s): ${r.error}`);
}

/** The acting identity of this checkout (git, login user, CI). */
export function actorOf(ctx: ProjectContext): ReturnType<typeof resolveActor> {
  return resolveActor(ctx.root, ctx.env);
}

/** One line per part of a plan, for people (--dry-run). */
export function describePromotionPlan(plan: PromotionPlan): string[] {
  const lines: string[] = [];
  const verb = plan.action === 'promote' ? 'promote' : 'roll back';
  lines.push(`${verb} ${plan.name}@${plan.digest} in ${plan.environment}${plan.allowed ? '' : ': refused'}`);
  for (const g of plan.gates)
    lines.push(`  gate ${g.gate}: ${g.status} — ${g.reason}${g.problems.length ? `: ${g.problems.join('; ')}` : ''}`);
  if (plan.copy) {
    const bytes = plan.copy.blobs.reduce((n, b) => n + b.size, 0);
    lines.push(
      `  copy ${plan.copy.blobs.length} blob(s), ${bytes} bytes, to ${plan.copy.registry}/${plan.copy.repository}${plan.copy.mountFrom ? ` (mounted from ${plan.copy.mountFrom})` : ''}`,
    );
  }
  if (!plan.allowed) return lines;
  const m = plan.move;
  if (m.repairTag)
    lines.push(
      `  repair ${m.name}:${m.environment}: it lags its history, move it to ${shortDigest(m.repairTag)} first`,
    );
  if (m.noop) lines.push(`  ${m.name}:${m.environment} is already ${m.to}: nothing to do`);
  else lines.push(`  move ${m.name}:${m.environment} ${m.from ? shortDigest(m.from) : '(new)'} → ${shortDigest(m.to)}`);
  if (plan.entry) {
    const e = plan.entry;
    lines.push(
      `  history entry ${e.sequence}: ${e.action}${e.forced ? ' (forced)' : ''} by ${actorLabel(e.who)}${e.reason ? `, reason: ${e.reason}` : ''}`,
    );
  }
  return lines;
}

/** A plan for --dry-run: printed, nothing changed; a refused plan exits 1. */
export function renderPlan(plan: PromotionPlan): CommandResult {
  return {
    exitCode: plan.allowed ? 0 : 1,
    data: { ok: plan.allowed, dryRun: true, plan },
    human: (s) => describePromotionPlan(plan).map((line, i) => (i === 0 ? s.bold(line) : line)),
  };
}
