import type { Reporter } from '@devkit/core';
import { readManifest, type Digest, type OciStore } from '@devkit/artifact';
import { pushArtifact, type TransferReport } from '@devkit/registry';
import { actorLabel } from './actor.js';
import type { HistoryEntry } from './history.js';
import { gateError, type PromotionPlan, type PromotionPorts } from './plan-promotion.js';
import { movePointer, type PointerMoveResult } from './promote.js';
import { sendWebhooks, type DevkitEvent, type WebhookResult, type WebhookTarget } from './webhooks.js';

/** Where the events of a promote or rollback go (devkit.json notify.webhooks). */
export interface WebhookPort {
  targets: readonly WebhookTarget[];
  /** CloudEvents `source`, e.g. devkit://<repo folder>. */
  source: string;
  env: NodeJS.ProcessEnv;
  budgetMs: number;
}

export interface ApplyPromotionPorts extends PromotionPorts {
  devkitVersion: string;
  now: () => Date;
  reporter?: Reporter | undefined;
  webhooks?: WebhookPort | undefined;
  /** When the command started, for the webhook's duration. */
  started?: number | undefined;
}

export interface PromotionOutcome {
  result: PointerMoveResult;
  pushed: TransferReport | null;
  webhooks: WebhookResult[];
}

/**
 * Carries out a promotion or rollback plan: sends the blobs a registry-backed environment lacks
 * (mounted from the `from` environment's repository on the same host), moves the pointer under
 * the environment's lock, then tells the webhooks. What can change between planning and
 * applying is checked again: the transfer asks the registry for each blob, and the pointer move
 * re-reads the tag and the history under the lock (someone else may have moved it: then `from`
 * and the entry's sequence are the ones found there, or the move is a no-op). Gates are not
 * re-run: the history is append-only and provenance is fixed, so a passed gate stays passed.
 */
export async function applyPromotion(plan: PromotionPlan, ports: ApplyPromotionPorts): Promise<PromotionOutcome> {
  const refused = gateError(plan);
  if (refused) throw refused;
  let pushed: TransferReport | null = null;
  const client = ports.target.client;
  if (plan.copy && client) {
    pushed = await pushArtifact(
      ports.store,
      client,
      plan.name,
      plan.digest,
      ports.reporter,
      plan.copy.mountFrom ?? undefined,
    );
  }
  const entry = plan.entry;
  const result = await movePointer(ports.target.backend, {
    name: plan.name,
    env: plan.environment,
    to: plan.digest,
    action: plan.action,
    reason: entry?.reason ?? null,
    forced: entry?.forced ?? false,
    who: entry?.who ?? { git: null, user: null, ci: null },
    devkitVersion: ports.devkitVersion,
    now: ports.now,
  });
  if (result.noop || !ports.webhooks) return { result, pushed, webhooks: [] };
  const webhooks = await notify(ports.webhooks, {
    kind: plan.action,
    outcome: 'success',
    name: plan.name,
    environment: plan.environment,
    from: result.from,
    to: plan.digest,
    commits: { from: await commitOf(ports.store, result.from), to: await commitOf(ports.store, plan.digest) },
    actor: actorLabel(entry?.who ?? { git: null, user: null, ci: null }),
    durationMs: performance.now() - (ports.started ?? performance.now()),
  });
  return { result, pushed, webhooks };
}

/** Tells the webhooks that a promote or rollback failed, and why (failures to deliver are results, never errors). */
export async function notifyPromotionFailure(
  port: WebhookPort | undefined,
  failed: {
    action: PromotionPlan['action'];
    name: string;
    environment: string;
    to: string | null;
    who: HistoryEntry['who'];
    started: number;
  },
  error: unknown,
): Promise<WebhookResult[]> {
  if (!port) return [];
  return notify(port, {
    kind: failed.action,
    outcome: 'failure',
    name: failed.name,
    environment: failed.environment,
    from: null,
    to: failed.to,
    commits: { from: null, to: null },
    actor: actorLabel(failed.who),
    durationMs: performance.now() - failed.started,
    error: (error as Error).message,
  });
}

function notify(port: WebhookPort, event: Omit<DevkitEvent, 'source'>): Promise<WebhookResult[]> {
  if (port.targets.length === 0) return Promise.resolve([]);
  return sendWebhooks(port.targets, { ...event, source: port.source }, { env: port.env, budgetMs: port.budgetMs });
}

/** The commit an artifact was built from (its build record), when the store has it. */
export async function commitOf(store: OciStore, digest: Digest | null): Promise<string | null> {
  if (!digest) return null;
  try {
    const manifest = await readManifest(store, digest);
    return (await store.readJson<{ commit?: string }>(manifest.config.digest)).commit ?? null;
  } catch {
    return null;
  }
}
