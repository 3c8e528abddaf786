import { basename } from 'node:path';
import { resolveActor, type ApplyPromotionPorts, type PromotionPorts, type WebhookPort } from '@devkit/environments';
import { redactUrlCredentials } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import type { HandlerIO } from '../spec.js';
import { devkitVersion, environmentBackend, environmentConfig, openProjectStore } from '../handlers/artifact-common.js';

/** The ports a promotion of `env` plans against: the local store, the environment, and its `from` environment. */
export async function promotionPorts(ctx: ProjectContext, env: string): Promise<PromotionPorts> {
  const config = environmentConfig(ctx, env);
  const store = await openProjectStore(ctx);
  const target = await environmentBackend(ctx, env);
  const source = config.from ? await environmentBackend(ctx, config.from) : undefined;
  return { store, target: { backend: target, client: target.client }, source: source ? { backend: source, client: source.client } : undefined };
}

/** What applying needs beyond planning: devkit's version, the clock, the reporter, the webhooks. */
export function applyPorts(ctx: ProjectContext, io: HandlerIO, ports: PromotionPorts, started: number): ApplyPromotionPorts {
  return { ...ports, devkitVersion: devkitVersion(), now: () => new Date(), reporter: io.reporter, webhooks: webhookPort(ctx), started };
}

/** devkit.json notify.webhooks as a port; undefined when there are none. */
export function webhookPort(ctx: ProjectContext): WebhookPort | undefined {
  const targets = ctx.config.notify?.webhooks ?? [];
  if (targets.length === 0) return undefined;
  const budget = Number(ctx.env.DEVKIT_WEBHOOK_BUDGET_MS ?? 5000);
  return { targets, source: `devkit://${basename(ctx.root)}`, env: ctx.env, budgetMs: Number.isFinite(budget) && budget > 0 ? budget : 5000 };
}

/** Webhooks that could not be delivered become notices, never errors. */
export function reportWebhooks(io: HandlerIO, results: ReadonlyArray<{ ok: boolean; url: string; attempts: number; error: string | null }>): void {
  for (const r of results) if (!r.ok) io.notice(`webhook ${redactUrlCredentials(r.url)} failed after ${r.attempts} attempt(s): ${r.error}`);
}

/** The acting identity of this checkout (git, login user, CI). */
export function actorOf(ctx: ProjectContext): ReturnType<typeof resolveActor> {
  return resolveActor(ctx.root, ctx.env);
}
