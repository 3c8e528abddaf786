import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryReporter } from './reporter.js';
import { planSteps, runSteps, StepFailedError, type Step } from './step.js';
import { statePath } from './state.js';

interface Ctx {
  inputs: Record<string, string>;
  runs: string[];
  failing: Set<string>;
}

function fingerprinted(id: string): Step<Ctx> {
  return {
    id,
    title: id,
    async fingerprint(ctx) {
      return ctx.inputs[id] ?? 'none';
    },
    async check() {
      return { upToDate: false, summary: 'inputs changed', problems: [] };
    },
    async run(ctx) {
      if (ctx.failing.has(id)) throw new Error(`${id} broke`);
      ctx.runs.push(id);
    },
  };
}

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
function root(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devkit-step-'));
  roots.push(dir);
  return dir;
}

describe('runSteps', () => {
  it('runs out-of-date steps once and skips them by fingerprint afterwards', async () => {
    const dir = root();
    const steps = [fingerprinted('a'), fingerprinted('b')];
    const ctx: Ctx = { inputs: { a: '1', b: '1' }, runs: [], failing: new Set() };
    const reporter = createMemoryReporter();
    const first = await runSteps(steps, ctx, { root: dir, reporter });
    expect(first.map((r) => r.status)).toEqual(['done', 'done']);
    const second = await runSteps(steps, ctx, { root: dir, reporter });
    expect(second.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    ctx.inputs.b = '2';
    const third = await runSteps(steps, ctx, { root: dir, reporter });
    expect(third.map((r) => r.status)).toEqual(['skipped', 'done']);
    expect(ctx.runs).toEqual(['a', 'b', 'b']);
    expect(reporter.events.filter((e) => e.type === 'step:end')).toHaveLength(6);
  });

  it('stops at a failing step, keeps the state of the steps before it, and continues from there on re-run', async () => {
    const dir = root();
    const steps = [fingerprinted('a'), fingerprinted('b'), fingerprinted('c')];
    const ctx: Ctx = { inputs: { a: '1', b: '1', c: '1' }, runs: [], failing: new Set(['b']) };
    const error = await runSteps(steps, ctx, { root: dir, reporter: createMemoryReporter() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailedError);
    expect((error as StepFailedError).reports.map((r) => r.status)).toEqual(['done', 'failed', 'not-run']);
    const state = JSON.parse(readFileSync(statePath(dir), 'utf8')) as { steps: Record<string, unknown> };
    expect(Object.keys(state.steps)).toEqual(['a']);
    ctx.failing.clear();
    const rerun = await runSteps(steps, ctx, { root: dir, reporter: createMemoryReporter() });
    expect(rerun.map((r) => r.status)).toEqual(['skipped', 'done', 'done']);
  });

  it('refuses a blocked step with its own error and code', async () => {
    const blocked: Step<Ctx> = {
      id: 'toolchain',
      title: 'toolchain',
      async check() {
        return {
          upToDate: false,
          summary: 'node too old',
          problems: [
            {
              code: 'E_TOOLCHAIN_NODE',
              kind: 'blocking',
              exitCode: 3,
              message: 'node 18 does not satisfy >=20',
              fix: 'fnm install 20',
            },
          ],
        };
      },
      async run() {
        throw new Error('must not run');
      },
    };
    const error = (await runSteps(
      [blocked],
      { inputs: {}, runs: [], failing: new Set<string>() },
      { root: root(), reporter: createMemoryReporter() },
    ).catch((e: unknown) => e)) as StepFailedError;
    expect(error.cause).toMatchObject({ code: 'E_TOOLCHAIN_NODE', exitCode: 3, hint: 'fnm install 20' });
  });
});

describe('planSteps', () => {
  it('checks every step without running any', async () => {
    const dir = root();
    const ctx: Ctx = { inputs: { a: '1' }, runs: [], failing: new Set() };
    const plan = await planSteps([fingerprinted('a')], ctx, dir);
    expect(plan[0]).toMatchObject({ id: 'a', status: 'will-run' });
    expect(ctx.runs).toEqual([]);
  });
});
