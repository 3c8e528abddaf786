import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, runDevkit } from '@devkit/test-utils';
import { cloneAndInstall, fixtureRepo } from './helpers.js';

interface BuildPlanJson {
  ok: boolean;
  dryRun: true;
  plan: {
    store: string;
    git: { commit: string; dirty: boolean; changes: string[]; blocks: boolean };
    turbo: { command: string[]; filters: string[]; force: boolean } | null;
    native: unknown[];
    deployables: Array<{
      name: string;
      inputsDigest: string;
      reuse: string | null;
      reason: string;
      previous: { digest: string; changes: string[] } | null;
      layers: Array<{ part: string; entries: number | null; source: string }>;
    }>;
  };
}
interface PromotionPlanJson {
  ok: boolean;
  dryRun: true;
  plan: {
    action: string;
    digest: string;
    allowed: boolean;
    gates: Array<{ gate: string; status: string; reason: string; problems: string[] }>;
    copy: unknown;
    move: { from: string | null; to: string; noop: boolean };
    entry: {
      action: string;
      sequence: number;
      from: string | null;
      to: string;
      reason: string | null;
      forced: boolean;
      who: { git: string | null };
    } | null;
  };
}

let repo: string;

/** What a dry run must leave alone: the store (its index: artifacts, tags, history) and turbo's outputs (a turbo run rewrites them). */
function snapshot(): { store: boolean; index: string; outputs: string[] } {
  const index = join(repo, '.devkit/store/index.json');
  const outputs = ['apps/api/dist/server.js', 'apps/web/dist/page.js', 'packages/shared/dist/index.js']
    .map((f) => join(repo, f))
    .map((f) => (existsSync(f) ? `${f} ${statSync(f).mtimeMs}` : `${f} absent`));
  return {
    store: existsSync(join(repo, '.devkit/store')),
    index: existsSync(index) ? readFileSync(index, 'utf8') : '',
    outputs,
  };
}

async function dryRun<T>(args: string[], exitCode = 0): Promise<T> {
  const result = await runDevkit([...args, '--dry-run', '--json'], { cwd: repo });
  expect(result.exitCode, result.stderr).toBe(exitCode);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  repo = await cloneAndInstall(fixtureRepo(), 'dry-run');
  git(repo, 'config', 'user.name', 'Release Manager');
  git(repo, 'config', 'user.email', 'rm@acme.invalid');
}, 300_000);
afterAll(cleanupTempDirs);

describe('promote and rollback before anything is built', () => {
  it('name the unknown artifact (exit 2) and leave no store behind, dry run or not', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    for (const args of [
      ['promote', `api@${digest}`, '--to', 'staging', '--dry-run'],
      ['promote', `api@${digest}`, '--to', 'staging'],
      ['rollback', 'api', '--env', 'staging', '--dry-run'],
    ]) {
      const result = await runDevkit([...args, '--json'], { cwd: repo });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stdout + result.stderr).toContain('E_UNKNOWN_ARTIFACT');
      expect(existsSync(join(repo, '.devkit/store')), args.join(' ')).toBe(false);
    }
  }, 60_000);
});

describe('build --dry-run', () => {
  it('plans turbo, reuse and layers, and builds nothing; after a build it plans reuse, after a commit it names what changed', async () => {
    const before = snapshot();
    const first = await dryRun<BuildPlanJson>(['build']);
    expect(first.plan.git).toMatchObject({
      commit: git(repo, 'rev-parse', 'HEAD').trim(),
      dirty: false,
      blocks: false,
    });
    expect(first.plan.turbo?.command).toEqual([
      'turbo',
      'run',
      'build',
      '--filter',
      '@acme/api...',
      '--filter',
      '@acme/web...',
      '--output-logs=errors-only',
    ]);
    const api = first.plan.deployables.find((d) => d.name === 'api')!;
    expect(api).toMatchObject({ reuse: null, previous: null, reason: 'no earlier build of api in the store' });
    expect(api.layers.map((l) => l.part)).toEqual(['app', 'deps']);
    expect(api.layers[0]!.entries).toBeGreaterThan(0);
    expect(api.layers[1]!.source).toContain('node_modules/.pnpm');
    expect(api.layers[1]!.source).toContain('workspace member(s) packages/shared');
    expect(snapshot()).toEqual(before);
    expect(before.store).toBe(false);
    expect(before.outputs.every((o) => o.endsWith(' absent'))).toBe(true);

    const human = await runDevkit(['build', '--dry-run'], { cwd: repo });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('turbo: turbo run build --filter @acme/api... --filter @acme/web...');
    expect(human.stdout).toMatch(/^api \(apps\/api\): pack — no earlier build of api in the store$/m);

    const built = await runDevkit(['build', '--json'], { cwd: repo });
    expect(built.exitCode, built.stderr).toBe(0);
    const digest = (
      JSON.parse(built.stdout) as { artifacts: Array<{ name: string; digest: string; inputsDigest: string }> }
    ).artifacts.find((a) => a.name === 'api')!;
    expect(digest.inputsDigest).toBe(api.inputsDigest);

    const afterBuild = snapshot();
    expect(afterBuild.outputs.filter((o) => o.endsWith(' absent'))).toEqual([]);
    const reuse = await dryRun<BuildPlanJson>(['build']);
    expect(reuse.plan.turbo).toBeNull();
    expect(reuse.plan.deployables.find((d) => d.name === 'api')).toMatchObject({
      reuse: digest.digest,
      reason: `an artifact built from identical inputs exists (${digest.digest})`,
    });
    expect(snapshot()).toEqual(afterBuild);

    writeFileSync(
      join(repo, 'apps/api/src/server.ts'),
      `${readFileSync(join(repo, 'apps/api/src/server.ts'), 'utf8')}// dry run\n`,
    );
    git(repo, 'commit', '-q', '-am', 'api change');
    const changed = await dryRun<BuildPlanJson>(['build']);
    expect(changed.plan.turbo?.filters).toEqual(['@acme/api...']);
    const apiChanged = changed.plan.deployables.find((d) => d.name === 'api')!;
    expect(apiChanged).toMatchObject({
      reuse: null,
      previous: { digest: digest.digest, changes: ['file changed: apps/api/src/server.ts'] },
    });
    expect(changed.plan.deployables.find((d) => d.name === 'web')?.reuse).not.toBeNull();
    expect(snapshot()).toEqual(afterBuild);
  }, 300_000);

  it('shows a dirty tree as refused (exit 1) and builds nothing', async () => {
    writeFileSync(join(repo, 'apps/api/untracked.txt'), 'x\n');
    try {
      const before = snapshot();
      const plan = await dryRun<BuildPlanJson>(['build'], 1);
      expect(plan.ok).toBe(false);
      expect(plan.plan.git).toMatchObject({ dirty: true, blocks: true, changes: ['apps/api/untracked.txt'] });
      expect(snapshot()).toEqual(before);
      const allowed = await dryRun<BuildPlanJson>(['build', '--allow-dirty']);
      expect(allowed.plan.git).toMatchObject({ dirty: true, blocks: false });
    } finally {
      git(repo, 'clean', '-qfd', 'apps/api');
    }
  }, 120_000);
});

describe('promote and rollback --dry-run', () => {
  it('print the gates, the pointer move and the history entry, and write no history', async () => {
    const built = JSON.parse((await runDevkit(['build', '--json'], { cwd: repo })).stdout) as {
      artifacts: Array<{ name: string; digest: string }>;
    };
    const api = built.artifacts.find((a) => a.name === 'api')!.digest;
    const index = () => readFileSync(join(repo, '.devkit/store/index.json'), 'utf8');
    const before = index();

    const gated = await dryRun<PromotionPlanJson>(['promote', `api@${api}`, '--to', 'production'], 1);
    expect(gated.plan.allowed).toBe(false);
    expect(gated.plan.gates).toEqual([
      { gate: 'from', status: 'failed', environment: 'staging', reason: 'it has never been in staging', problems: [] },
      {
        gate: 'require',
        status: 'not-configured',
        environment: 'production',
        reason: 'environments.production.require is not set',
        problems: [],
      },
    ]);
    const forced = await dryRun<PromotionPlanJson>([
      'promote',
      `api@${api}`,
      '--to',
      'production',
      '--force',
      '--reason',
      'hotfix',
    ]);
    expect(forced.plan.gates[0]).toMatchObject({
      status: 'overridden',
      reason: 'it has never been in staging; --force: hotfix',
    });
    expect(forced.plan.entry).toMatchObject({
      action: 'promote',
      sequence: 1,
      from: null,
      to: api,
      forced: true,
      reason: 'hotfix',
      who: { git: 'Release Manager <rm@acme.invalid>' },
    });

    const staging = await dryRun<PromotionPlanJson>(['promote', `api@${api}`, '--to', 'staging']);
    expect(staging.plan).toMatchObject({
      action: 'promote',
      allowed: true,
      copy: null,
      move: { from: null, to: api, noop: false },
    });
    const human = await runDevkit(['promote', `api@${api}`, '--to', 'staging', '--dry-run'], { cwd: repo });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('history entry 1: promote by Release Manager <rm@acme.invalid>');
    expect(index()).toBe(before);
    expect(
      JSON.parse((await runDevkit(['history', 'api', '--env', 'staging', '--json'], { cwd: repo })).stdout),
    ).toMatchObject({ current: null, entries: [] });

    // Two real promotes, then a rollback planned but not done.
    const { artifacts } = JSON.parse((await runDevkit(['artifact', 'ls', '--json'], { cwd: repo })).stdout) as {
      artifacts: Array<{ name: string; digest: string }>;
    };
    const older = artifacts.find((a) => a.name === 'api' && a.digest !== api)!.digest;
    expect((await runDevkit(['promote', `api@${older}`, '--to', 'staging'], { cwd: repo })).exitCode).toBe(0);
    expect((await runDevkit(['promote', `api@${api}`, '--to', 'staging'], { cwd: repo })).exitCode).toBe(0);
    const beforeRollback = index();
    const back = await dryRun<PromotionPlanJson>(['rollback', 'api', '--env', 'staging', '--reason', 'bad deploy']);
    expect(back.plan).toMatchObject({
      action: 'rollback',
      digest: older,
      gates: [],
      move: { from: api, to: older, noop: false },
      entry: { action: 'rollback', sequence: 3, reason: 'bad deploy' },
    });
    const noop = await dryRun<PromotionPlanJson>(['promote', `api@${api}`, '--to', 'staging']);
    expect(noop.plan).toMatchObject({ move: { noop: true }, entry: null });
    expect(index()).toBe(beforeRollback);
  }, 300_000);
});
