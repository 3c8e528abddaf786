import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVKIT_BIN, cleanupTempDirs, copyFixture, git, gitInit, runDevkit } from '@devkit/test-utils';

afterAll(cleanupTempDirs);

function fresh(): string {
  const repo = copyFixture('acme');
  gitInit(repo);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'initial');
  return repo;
}

describe('bootstrap interrupted and dry-run', () => {
  it('--dry-run shows what would run and changes nothing', async () => {
    const repo = fresh();
    const run = await runDevkit(['--json', 'bootstrap', '--dry-run'], { cwd: repo });
    expect(run.exitCode).toBe(0);
    const plan = JSON.parse(run.stdout) as { steps: Array<{ id: string; status: string }> };
    expect(plan.steps.map((s) => [s.id, s.status])).toEqual([
      ['toolchain', 'up-to-date'],
      ['dependencies', 'will-run'],
      ['hooks', 'will-run'],
      ['services', 'up-to-date'],
    ]);
    expect(existsSync(join(repo, 'node_modules'))).toBe(false);
    expect(existsSync(join(repo, '.devkit/state.json'))).toBe(false);
  });

  it('a kill -9 in the middle of the dependencies step leaves a state that a re-run completes', async () => {
    const repo = fresh();
    const child = spawn(process.execPath, [DEVKIT_BIN, 'bootstrap'], { cwd: repo, stdio: 'ignore', detached: true });
    // Kill the whole process group (devkit and the pnpm it started) once pnpm has begun writing.
    await new Promise<void>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (existsSync(join(repo, 'node_modules')) || Date.now() - started > 20_000) {
          clearInterval(poll);
          process.kill(-child.pid!, 'SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const state = existsSync(join(repo, '.devkit/state.json'))
      ? (JSON.parse(readFileSync(join(repo, '.devkit/state.json'), 'utf8')) as { steps: Record<string, unknown> })
      : { steps: {} };
    expect(state.steps.dependencies).toBeUndefined();

    const rerun = await runDevkit(['--json', 'bootstrap'], { cwd: repo });
    expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0);
    const steps = (JSON.parse(rerun.stdout) as { steps: Array<{ id: string; status: string }> }).steps;
    expect(steps.find((s) => s.id === 'dependencies')?.status).toBe('done');
    const again = await runDevkit(['--json', 'bootstrap'], { cwd: repo });
    expect(
      (JSON.parse(again.stdout) as { steps: Array<{ status: string }> }).steps.every((s) => s.status === 'skipped'),
    ).toBe(true);
  });
});
