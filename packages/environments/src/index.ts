/**
 * Environments: pointers to artifacts (`<name>:<env>`), their append-only history, promote
 * and rollback with their gates, the locks that serialise them (file, Redis, PostgreSQL) and
 * the webhooks that report them. Backed by the local store or an OCI registry.
 */
export { LocalEnvironmentBackend } from './environment-backend.js';
export type { EnvironmentBackend } from './environment-backend.js';
export { movePointer, readHistory, rollbackTarget, hasBeenIn } from './promote.js';
export { planPromotion, planRollback, gateError } from './plan-promotion.js';
export type {
  PromotionPlan,
  PromotionPorts,
  PromotionRequest,
  RollbackRequest,
  EnvironmentPort,
  GateVerdict,
  BlobCopyPlan,
  PointerMovePlan,
  PlannedHistoryEntry,
} from './plan-promotion.js';
export { applyPromotion, notifyPromotionFailure, commitOf } from './apply-promotion.js';
export type { ApplyPromotionPorts, PromotionOutcome, WebhookPort } from './apply-promotion.js';
export { resolveActor, actorLabel } from './actor.js';
export type { HistoryItem, PointerMove, PointerMoveResult } from './promote.js';
export { checkChain, historyTag, historyManifest, PREVIOUS_ANNOTATION } from './history.js';
export type { HistoryEntry } from './history.js';
export { historyRoots } from './gc-roots.js';
export { checkProvenance } from './gates.js';
export type { ProvenanceRequirement } from './gates.js';
export { sendWebhooks, webhookBody, signBody } from './webhooks.js';
export type { WebhookTarget, DevkitEvent, WebhookResult, SendOptions } from './webhooks.js';
export { RegistryEnvironmentBackend } from './registry-backend.js';
export type { RegistryLock } from './registry-backend.js';
export { advisoryLockId, withPostgresLock } from './postgres-lock.js';
export { withRedisLock } from './redis-lock.js';
