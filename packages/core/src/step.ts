import { DevkitError, InternalError, isDevkitError } from './errors.js';
import type { Reporter } from './reporter.js';
import { readState, writeState, type DevkitState } from './state.js';

/** Something wrong that a step found, with the command that fixes it. */
export interface Problem {
  code: string;
  message: string;
  /** The exact command (or action) that fixes it. */
  fix?: string | undefined;
  /** `blocking` problems cannot be fixed by running the step; `fixable` ones can. */
  kind: 'blocking' | 'fixable';
  /** Exit code a blocking problem maps to. */
  exitCode?: 1 | 2 | 3 | undefined;
}

export interface StepCheck {
  upToDate: boolean;
  /** One line: why the step is, or is not, up to date. */
  summary: string;
  problems: Problem[];
}

/**
 * One step of `devkit bootstrap`. Each step knows how to tell whether it is up to date, how to
 * bring itself up to date, and (optionally) a cheap fingerprint of its inputs: when the
 * fingerprint equals the one recorded after the last successful run, the step is skipped
 * without even running its check — that is what keeps a warm bootstrap in milliseconds.
 */
export interface Step<Ctx> {
  id: string;
  title: string;
  fingerprint?(ctx: Ctx): Promise<string>;
  check(ctx: Ctx): Promise<StepCheck>;
  run(ctx: Ctx, check: StepCheck): Promise<void>;
}

export type StepPlanStatus = 'up-to-date' | 'will-run' | 'blocked';

export interface StepPlanEntry {
  id: string;
  title: string;
  status: StepPlanStatus;
  summary: string;
  problems: Problem[];
  /** True when skipped by fingerprint alone (no check ran). */
  byFingerprint: boolean;
  fingerprint?: string | undefined;
}

export interface StepReport {
  id: string;
  title: string;
  status: 'done' | 'skipped' | 'failed' | 'not-run';
  summary: string;
  durationMs: number;
  problems: Problem[];
  error?: Record<string, unknown> | undefined;
}

async function planStep<Ctx>(step: Step<Ctx>, ctx: Ctx, state: DevkitState): Promise<StepPlanEntry> {
  const fingerprint = step.fingerprint ? await step.fingerprint(ctx) : undefined;
  if (fingerprint !== undefined && state.steps[step.id]?.fingerprint === fingerprint) {
    return {
      id: step.id,
      title: step.title,
      status: 'up-to-date',
      summary: 'up to date',
      problems: [],
      byFingerprint: true,
      fingerprint,
    };
  }
  const check = await step.check(ctx);
  const blocked = check.problems.some((p) => p.kind === 'blocking');
  return {
    id: step.id,
    title: step.title,
    status: blocked ? 'blocked' : check.upToDate ? 'up-to-date' : 'will-run',
    summary: check.summary,
    problems: check.problems,
    byFingerprint: false,
    fingerprint,
  };
}

/**
 * Checks every step without changing anything (`devkit doctor`, `bootstrap --dry-run`).
 * Unlike a run, it does not stop at the first blocked step: a doctor lists everything.
 */
export async function planSteps<Ctx>(
  steps: ReadonlyArray<Step<Ctx>>,
  ctx: Ctx,
  root: string,
): Promise<StepPlanEntry[]> {
  const state = await readState(root);
  return Promise.all(steps.map((step) => planStep(step, ctx, state)));
}

export interface RunStepsOptions {
  root: string;
  reporter: Reporter;
}

/**
 * Runs the steps in order. A step that is up to date is skipped; a blocked or failing step
 * stops the run with its own error, and the state of every step before it is already saved,
 * so a re-run continues from there.
 */
export async function runSteps<Ctx>(
  steps: ReadonlyArray<Step<Ctx>>,
  ctx: Ctx,
  options: RunStepsOptions,
): Promise<StepReport[]> {
  const { reporter, root } = options;
  const state = await readState(root);
  const reports: StepReport[] = [];
  for (const [index, step] of steps.entries()) {
    const started = performance.now();
    reporter.emit({ type: 'step:start', id: step.id, title: step.title });
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      const plan = await planStep(step, ctx, state);
      if (plan.status === 'blocked') {
        const first = plan.problems.find((p) => p.kind === 'blocking');
        if (!first) throw new InternalError(`step ${step.id} is blocked without a blocking problem`);
        throw new DevkitError(first.code, first.exitCode ?? 1, first.message, {
          hint: first.fix,
          details: { step: step.id, problems: plan.problems },
        });
      }
      if (plan.status === 'up-to-date') {
        if (!plan.byFingerprint && plan.fingerprint !== undefined) {
          state.steps[step.id] = { fingerprint: plan.fingerprint, completedAt: new Date().toISOString() };
          await writeState(root, state);
        }
        const durationMs = elapsed();
        reporter.emit({
          type: 'step:end',
          id: step.id,
          title: step.title,
          status: 'skipped',
          durationMs,
          detail: plan.summary,
        });
        reports.push({
          id: step.id,
          title: step.title,
          status: 'skipped',
          summary: plan.summary,
          durationMs,
          problems: plan.problems,
        });
        continue;
      }
      await step.run(ctx, { upToDate: false, summary: plan.summary, problems: plan.problems });
      if (step.fingerprint) {
        state.steps[step.id] = { fingerprint: await step.fingerprint(ctx), completedAt: new Date().toISOString() };
        await writeState(root, state);
      }
      const durationMs = elapsed();
      reporter.emit({
        type: 'step:end',
        id: step.id,
        title: step.title,
        status: 'done',
        durationMs,
        detail: plan.summary,
      });
      reports.push({
        id: step.id,
        title: step.title,
        status: 'done',
        summary: plan.summary,
        durationMs,
        problems: plan.problems,
      });
    } catch (error) {
      const durationMs = elapsed();
      const message = error instanceof Error ? error.message : String(error);
      reporter.emit({
        type: 'step:end',
        id: step.id,
        title: step.title,
        status: 'failed',
        durationMs,
        detail: message.split('\n')[0],
      });
      reports.push({
        id: step.id,
        title: step.title,
        status: 'failed',
        summary: message,
        durationMs,
        problems: [],
        error: isDevkitError(error) ? error.toJSON() : { message },
      });
      for (const later of steps.slice(index + 1)) {
        reports.push({
          id: later.id,
          title: later.title,
          status: 'not-run',
          summary: 'not run: an earlier step failed',
          durationMs: 0,
          problems: [],
        });
      }
      throw new StepFailedError(step.id, error, reports);
    }
  }
  return reports;
}

/** Thrown by `runSteps` when a step fails; carries the reports so far and the original error. */
export class StepFailedError extends Error {
  override readonly name = 'StepFailedError';
  constructor(
    readonly stepId: string,
    override readonly cause: unknown,
    readonly reports: StepReport[],
  ) {
    super(`step ${stepId} failed`);
  }
}
