import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVKIT_BIN, cleanupTempDirs, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';
import { smallRepo } from './helpers.js';

afterAll(cleanupTempDirs);

describe('doctor outside a repo', () => {
  it('is exit 2 for a folder that does not exist, naming it', async () => {
    const missing = join(tempDir(), 'nonexistent');
    const run = await runDevkit(['doctor', '--cwd', missing], { cwd: tempDir() });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`error E_CWD_MISSING: --cwd ${missing}: no such folder`);
    expect(run.stderr).not.toContain('no problems found');
  });

  it('is exit 2 when the current folder was removed under the shell', () => {
    const gone = join(tempDir(), 'gone');
    mkdirSync(gone);
    const run = spawnSync(
      'sh',
      ['-c', `cd '${gone}' && rmdir '${gone}' && exec "$0" "$1" doctor`, process.execPath, DEVKIT_BIN],
      {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('error E_CWD_MISSING: the current folder no longer exists');
  });

  it('is exit 2 for a folder that is not in a repo, with the fix', async () => {
    const empty = tempDir('devkit-empty-');
    const run = await runDevkit(['doctor'], { cwd: empty });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).not.toContain('no problems found');
    expect(run.stderr).toContain(
      `error E_NOT_A_REPO: ${empty} is not in a repo: no devkit.json, pnpm-workspace.yaml, package.json or .git in it or above`,
    );
    expect(run.stderr).toContain('fix: run `devkit doctor` inside the repo, or `devkit doctor --cwd <repo>`');
    const json = await runDevkit(['doctor', '--json', '--cwd', empty], { cwd: tempDir() });
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, schemaVersion: 1, error: { code: 'E_NOT_A_REPO' } });
  });

  it('still checks a repo, and a sub-folder of one', async () => {
    const repo = smallRepo();
    writeFiles(repo, { 'apps/api/src/index.js': '' });
    for (const cwd of [repo, join(repo, 'apps/api/src')]) {
      const run = await runDevkit(['doctor', '--json'], { cwd });
      expect([0, 1], run.stderr).toContain(run.exitCode);
      expect(JSON.parse(run.stdout)).toMatchObject({ schemaVersion: 1, root: repo });
    }
  });
});

describe('a dry run whose plan is blocked', () => {
  it('bootstrap --dry-run prints the plan and exits 1, changing nothing', async () => {
    // A package.json without a lockfile: the dependencies step cannot run.
    const repo = smallRepo();
    const human = await runDevkit(['bootstrap', '--dry-run', '--no-services'], { cwd: repo });
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toMatch(/✗ dependencies +blocked: no pnpm-lock\.yaml/);
    expect(human.stdout).toContain('fix: pnpm install && git add pnpm-lock.yaml');
    expect(human.stdout).toMatch(/toolchain/);
    const json = await runDevkit(['bootstrap', '--dry-run', '--no-services', '--json'], { cwd: repo });
    expect(json.exitCode).toBe(1);
    const doc = JSON.parse(json.stdout) as {
      ok: boolean;
      dryRun: boolean;
      steps: Array<{ id: string; status: string }>;
    };
    expect(doc).toMatchObject({ ok: false, schemaVersion: 1, dryRun: true });
    expect(doc.steps.find((s) => s.id === 'dependencies')?.status).toBe('blocked');
    expect(existsSync(join(repo, '.devkit/state.json'))).toBe(false);
    expect(existsSync(join(repo, 'node_modules'))).toBe(false);
  });

  it('bootstrap --dry-run with nothing blocked still exits 0', async () => {
    const repo = tempDir('devkit-plain-');
    writeFiles(repo, { 'devkit.json': '{}' });
    const run = await runDevkit(['bootstrap', '--dry-run', '--no-services', '--json'], { cwd: repo });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, dryRun: true });
  });
});

describe('devkit.json as JSONC', () => {
  it('accepts comments and trailing commas', async () => {
    const repo = smallRepo(`// devkit's settings for this repo
{
  /* the toolchain every machine runs */
  "toolchain": { "node": ">=22", },
  "environments": {
    "staging": {}, // first stop
    "production": { "from": "staging" },
  },
}
`);
    const run = await runDevkit(['config', 'check', '--json'], { cwd: repo });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      config: { toolchain: { node: '>=22' }, environments: { production: { from: 'staging' } } },
    });
  });

  it('keeps comments and trailing commas when devkit rewrites it (devkit init)', async () => {
    const repo = smallRepo('{\n  // staging first\n  "environments": { "staging": {}, }, /* then prod */\n}\n');
    const init = await runDevkit(['init'], { cwd: repo });
    expect(init.exitCode, init.stderr).toBe(0);
    const text = readFileSync(join(repo, 'devkit.json'), 'utf8');
    expect(text).toContain('// staging first');
    expect(text).toContain('"environments": { "staging": {}, }, /* then prod */');
    expect((await runDevkit(['config', 'check'], { cwd: repo })).exitCode).toBe(0);
  });

  it('points a syntax error at the character at fault, with the line and a caret', async () => {
    const repo = smallRepo('{\n  "toolchain": { "node": ">=22" },\n  , "hooks": {}\n}\n');
    const run = await runDevkit(['config', 'check'], { cwd: repo });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      [
        "error E_CONFIG_INVALID: devkit.json:3:3: expected a property name after ',', found ','",
        '  3 |   , "hooks": {}',
        '    |   ^',
      ].join('\n'),
    );
    expect(run.stderr).toContain('fix: fix line 3 of devkit.json, then `devkit config check`');
  });
});
