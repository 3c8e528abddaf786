import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';

afterAll(cleanupTempDirs);

describe('devkit CLI surface', () => {
  it('prints its version and help', async () => {
    const dir = tempDir();
    const version = await runDevkit(['--version'], { cwd: dir });
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runDevkit(['--help'], { cwd: dir });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('bootstrap');
    expect(help.stdout).toContain('Exit codes');
  });

  it('answers --version and help on a subcommand without running it', async () => {
    const dir = tempDir();
    // A checkout whose `up` would start Redis: --version must print the version and start nothing.
    writeFiles(dir, { 'devkit.json': '{ "services": { "redis": { "version": "7" } } }' });
    const version = await runDevkit(['up', '--version'], { cwd: dir });
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(version.stderr).toBe('');
    expect(existsSync(join(dir, '.devkit'))).toBe(false);
    expect(existsSync(join(dir, '.env.devkit'))).toBe(false);
    const help = await runDevkit(['help', 'artifact', 'push'], { cwd: dir });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^devkit artifact push <ref> — /);
    expect(help.stdout).toContain('--registry <url>');
  });

  it('exits 2 for a flag value that does not fit, with the fix', async () => {
    const dir = tempDir();
    const run = await runDevkit(['artifact', 'gc', '--keep-builds', '0'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error E_FLAG_VALUE: --keep-builds must be a whole number ≥ 1 (found "0")');
    expect(run.stderr).toContain('fix: devkit artifact gc --keep-builds 3');
    expect(existsSync(join(dir, '.devkit'))).toBe(false);
  });

  it('exits 2 for an unknown command or flag and names the nearest valid one', async () => {
    const dir = tempDir();
    const command = await runDevkit(['doctr'], { cwd: dir });
    expect(command.exitCode).toBe(2);
    expect(command.stdout).toBe('');
    expect(command.stderr).toContain(
      'error E_UNKNOWN_COMMAND: unknown command `devkit doctr` (did you mean `devkit doctor`?)',
    );
    const flag = await runDevkit(['bootstrap', '--dry-rn'], { cwd: dir });
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain('did you mean --dry-run?');
  });

  it('with --json, prints exactly one JSON document on stdout, errors included', async () => {
    const dir = tempDir();
    const ok = await runDevkit(['--json', 'config', 'check'], { cwd: dir });
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, file: null });
    expect(ok.stderr).toBe('');
    const bad = await runDevkit(['--json', 'nope'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'E_UNKNOWN_COMMAND', exitCode: 2 } });
  });

  it('says once that defaults apply when there is no devkit.json', async () => {
    const dir = tempDir();
    const run = await runDevkit(['config', 'check'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.stderr.match(/no devkit\.json/g)).toHaveLength(1);
  });
});

describe('malformed devkit.json', () => {
  const cases: Array<{ name: string; text: string; expect: RegExp }> = [
    {
      name: 'bad JSON',
      text: '{\n  "toolchain": { "node": ">=20" }\n  "hooks": {}\n}\n',
      expect: /devkit\.json:2:34: expected ',' after '\}', before "hooks" on line 3\n {2}2 \| {3}"toolchain"/,
    },
    {
      name: 'a wrong type',
      text: '{\n  "services": {\n    "redis": { "version": 7 }\n  }\n}\n',
      expect: /devkit\.json:3:16 services\.redis\.version: expected string, found number 7/,
    },
    {
      name: 'an unknown key',
      text: '{\n  "toolchain": {\n    "nodee": ">=20"\n  }\n}\n',
      expect: /devkit\.json:3:5 toolchain\.nodee: unknown key "nodee" \(did you mean "node"\?\)/,
    },
  ];
  for (const c of cases) {
    it(`gives exit 2 with file:line:col and the key path for ${c.name}`, async () => {
      const dir = tempDir();
      writeFiles(dir, { 'devkit.json': c.text });
      const run = await runDevkit(['doctor'], { cwd: dir });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(c.expect);
      expect(run.stderr).toContain('error E_CONFIG_INVALID');
      expect(run.stderr).toContain('fix:');
    });
  }

  it('finds devkit.json from a sub-folder and via --cwd', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'devkit.json': '{ "hoks": {} }', 'apps/api/package.json': '{}' });
    const fromSub = await runDevkit(['config', 'check'], { cwd: `${dir}/apps/api` });
    expect(fromSub.exitCode).toBe(2);
    const viaCwd = await runDevkit(['config', 'check', '--cwd', dir], { cwd: tempDir() });
    expect(viaCwd.exitCode).toBe(2);
    expect(viaCwd.stderr).toContain('did you mean "hooks"?');
  });
});
