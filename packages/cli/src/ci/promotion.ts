import type { PromotionPlan } from '@devkit/environments';
import type { CiRecorder, CiSummary } from './facts.js';

type PromotionSummary = Extract<CiSummary, { kind: 'promotion' }>;

/**
 * A promotion's or rollback's facts for CI, from its plan (gates and their verdicts, the pointer
 * move): recorded before it is applied, so a failure still shows them. Returns what records the
 * outcome once known, with the digest the pointer really moved from (read again under its lock).
 */
export function recordPromotion(
  ci: CiRecorder,
  plan: PromotionPlan,
  facts: { actor: string; forced: boolean; reason: string | null },
): (outcome: NonNullable<PromotionSummary['outcome']>, from: string | null) => void {
  const summary: PromotionSummary = {
    kind: 'promotion',
    action: plan.action,
    name: plan.name,
    environment: plan.environment,
    from: plan.move.from,
    to: plan.digest,
    actor: facts.actor,
    reason: facts.reason,
    forced: facts.forced,
    gates: plan.gates.map((g) => ({
      gate: g.gate,
      status: g.status,
      reason: `${g.reason}${g.problems.length > 0 ? `: ${g.problems.join('; ')}` : ''}`,
    })),
    outcome: plan.allowed ? undefined : 'refused',
  };
  ci.summarize(summary);
  return (outcome, from) => {
    summary.outcome = outcome;
    summary.from = from;
    ci.summarize(summary);
  };
}
