import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, copyFixture, git, gitInit, runDevkit } from '@devkit/test-utils';

interface StepJson {
  id: string;
  status: string;
  summary: string;
}

afterAll(cleanupTempDirs);

describe('devkit bootstrap on the fixture monorepo', () => {
  let repo: string;
  beforeAll(() => {
    repo = copyFixture('acme');
    gitInit(repo);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'initial');
  });

  it('doctor on a fresh clone lists what is missing, with fixes, and changes nothing', async () => {
    const run = await runDevkit(['--json', 'doctor'], { cwd: repo });
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      problems: Array<{ step: string; code: string; fix: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.code)).toEqual(
      expect.arrayContaining(['W_DEPS_NOT_INSTALLED', 'W_HOOKS_NOT_INSTALLED']),
    );
    expect(report.problems.every((p) => p.fix)).toBe(true);
    expect(existsSync(join(repo, 'node_modules'))).toBe(false);
    expect(existsSync(join(repo, '.devkit/state.json'))).toBe(false);
  });

  it('installs dependencies and hooks, then a second run skips every step', async () => {
    const first = await runDevkit(['--json', 'bootstrap', '--yes'], { cwd: repo });
    expect(first.exitCode, first.stderr + first.stdout).toBe(0);
    const firstSteps = (JSON.parse(first.stdout) as { steps: StepJson[] }).steps;
    expect(firstSteps.map((s) => [s.id, s.status])).toEqual([
      ['toolchain', 'skipped'],
      ['dependencies', 'done'],
      ['hooks', 'done'],
      ['services', 'skipped'],
    ]);
    expect(existsSync(join(repo, 'node_modules/.pnpm/lock.yaml'))).toBe(true);
    expect(git(repo, 'config', '--get', 'core.hooksPath').trim()).toBe('.husky/_');
    expect(readFileSync(join(repo, '.husky/pre-commit'), 'utf8')).toContain('devkit hooks run pre-commit');

    const second = await runDevkit(['--json', 'bootstrap'], { cwd: repo });
    expect(second.exitCode).toBe(0);
    const secondSteps = (JSON.parse(second.stdout) as { steps: StepJson[] }).steps;
    expect(secondSteps.every((s) => s.status === 'skipped')).toBe(true);

    const human = await runDevkit(['bootstrap'], { cwd: repo });
    expect(human.stdout).toMatch(/· toolchain .*skipped/);
    expect(human.stdout).toMatch(/everything up to date/);

    const doctor = await runDevkit(['doctor'], { cwd: repo });
    expect(doctor.exitCode).toBe(0);
    expect(doctor.stdout).toContain('no problems found');
  });

  it('a drifted lockfile stops the run at the dependencies step; once fixed, nothing is left to do', async () => {
    const manifestPath = join(repo, 'apps/api/package.json');
    const original = readFileSync(manifestPath, 'utf8');
    const manifest = JSON.parse(original) as { dependencies: Record<string, string> };
    manifest.dependencies.ms = '2.1.2';
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const failed = await runDevkit(['bootstrap'], { cwd: repo });
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toMatch(/✗ dependencies/);
    expect(failed.stderr).toContain('error E_LOCKFILE_OUTDATED');
    expect(failed.stderr).toContain('fix: pnpm install');

    writeFileSync(manifestPath, original);
    const rerun = await runDevkit(['--json', 'bootstrap'], { cwd: repo });
    expect(rerun.exitCode).toBe(0);
    const steps = (JSON.parse(rerun.stdout) as { steps: StepJson[] }).steps;
    // The failed install changed nothing, so the recorded fingerprint matches again.
    expect(steps.map((s) => s.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
  });

  it('a toolchain the machine does not satisfy is exit 3 naming the version needed', async () => {
    const configPath = join(repo, 'devkit.json');
    const original = readFileSync(configPath, 'utf8');
    const config = JSON.parse(original) as { toolchain: { node: string } };
    config.toolchain.node = '>=99';
    writeFileSync(configPath, JSON.stringify(config));
    try {
      const run = await runDevkit(['bootstrap'], { cwd: repo });
      expect(run.exitCode).toBe(3);
      expect(run.stderr).toMatch(
        /error E_TOOLCHAIN_NODE: node \d+\.\d+\.\d+ does not satisfy >=99 \(required by devkit.json toolchain.node\)/,
      );
      expect(run.stderr).toContain('fix: pin a published node in devkit.json toolchain.node');
    } finally {
      writeFileSync(configPath, original);
    }
  });

  it('hooks removed behind its back are put back; a foreign hooks path is refused with the fix', async () => {
    git(repo, 'config', '--unset', 'core.hooksPath');
    const again = await runDevkit(['--json', 'bootstrap'], { cwd: repo });
    expect((JSON.parse(again.stdout) as { steps: StepJson[] }).steps.find((s) => s.id === 'hooks')?.status).toBe(
      'done',
    );
    git(repo, 'config', 'core.hooksPath', '.githooks');
    const refused = await runDevkit(['hooks', 'install'], { cwd: repo });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('error E_HOOKS_PATH_TAKEN');
    expect(git(repo, 'config', '--get', 'core.hooksPath').trim()).toBe('.githooks');
    const doctor = await runDevkit(['doctor'], { cwd: repo });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toContain('core.hooksPath is ".githooks" (set in local config .git/config)');
    expect(doctor.stdout).toContain('move any hooks you need from .githooks into .husky/');
    expect(doctor.stdout).toContain('git config --unset core.hooksPath && devkit hooks install');
  });
});
