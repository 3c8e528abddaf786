import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEVKIT_BIN,
  cleanupTempDirs,
  hasBinary,
  requirePrerequisite,
  runDevkit,
  tempDir,
  writeFiles,
} from '@devkit/test-utils';
import { hasAnsi } from './helpers.js';

afterAll(cleanupTempDirs);

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** An environment with no colour preference in it, on a terminal that can show colour. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !['NO_COLOR', 'FORCE_COLOR', 'TERM', 'CI', 'GITHUB_ACTIONS'].includes(k)) env[k] = v;
  return { ...env, TERM: 'xterm-256color', ...extra };
}

/**
 * Runs `devkit <args> <redirect>` under `script` (util-linux), so stdout and stderr are a real
 * terminal unless the shell line redirects one of them to a file. Returns what reached the
 * terminal.
 */
function inTerminal(args: string[], redirect: string, env: Record<string, string>) {
  const line = [process.execPath, DEVKIT_BIN, ...args].map(quote).join(' ');
  const run = spawnSync('script', ['-qec', `${line} ${redirect}`, '/dev/null'], {
    cwd: repo,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { exitCode: run.status, terminal: run.stdout };
}

let repo: string;
beforeAll(() => {
  requirePrerequisite('script (util-linux)', hasBinary('script'), 'install util-linux: apt-get install -y util-linux');
  // No devkit.json: doctor's checks go to stdout, its "no devkit.json" note to stderr.
  repo = tempDir('devkit-color-');
  writeFiles(repo, { 'package.json': { name: 'acme', private: true } });
});

describe('colour, decided per stream', () => {
  it('keeps a redirected stdout plain while stderr, a terminal, is coloured', async () => {
    // bootstrap's step lines go to stdout through the reporter; no lockfile stops it with an
    // error on stderr.
    const out = join(tempDir(), 'out.txt');
    const run = inTerminal(['bootstrap', '--no-services'], `> ${quote(out)}`, cleanEnv());
    const stdout = readFileSync(out, 'utf8');
    expect(stdout).toMatch(/toolchain .*skipped/);
    expect(hasAnsi(stdout), stdout).toBe(false);
    expect(run.terminal).toContain('E_LOCKFILE_MISSING');
    expect(hasAnsi(run.terminal), run.terminal).toBe(true);
    const doctorOut = join(tempDir(), 'doctor.txt');
    const doctor = inTerminal(['doctor'], `> ${quote(doctorOut)}`, cleanEnv());
    expect(hasAnsi(readFileSync(doctorOut, 'utf8'))).toBe(false);
    expect(doctor.terminal).toContain('no devkit.json');
    expect(hasAnsi(doctor.terminal), doctor.terminal).toBe(true);
  });

  it('keeps a redirected stderr plain while stdout, a terminal, is coloured', async () => {
    const err = join(tempDir(), 'err.txt');
    const run = inTerminal(['doctor'], `2> ${quote(err)}`, cleanEnv());
    const stderr = readFileSync(err, 'utf8');
    expect(stderr).toContain('no devkit.json');
    expect(hasAnsi(stderr), stderr).toBe(false);
    expect(run.terminal).toContain('toolchain');
    expect(hasAnsi(run.terminal), run.terminal).toBe(true);
  });

  it('turns colour off on a terminal for NO_COLOR (non-empty), TERM=dumb, FORCE_COLOR=0 and --no-color', async () => {
    const cases: Array<[string, Record<string, string>, string[]]> = [
      ['NO_COLOR=1', { NO_COLOR: '1' }, []],
      ['TERM=dumb', { TERM: 'dumb' }, []],
      ['FORCE_COLOR=0', { FORCE_COLOR: '0' }, []],
      ['FORCE_COLOR=false', { FORCE_COLOR: 'false' }, []],
      ['--no-color', {}, ['--no-color']],
    ];
    for (const [name, extra, flags] of cases) {
      const run = inTerminal(['doctor', ...flags], '', cleanEnv(extra));
      expect(run.terminal, name).toContain('toolchain');
      expect(hasAnsi(run.terminal), `${name}: ${run.terminal}`).toBe(false);
    }
    const empty = inTerminal(['doctor'], '', cleanEnv({ NO_COLOR: '' }));
    expect(hasAnsi(empty.terminal), 'an empty NO_COLOR is no preference').toBe(true);
  });

  it('colours pipes only when asked: FORCE_COLOR (over NO_COLOR) or --color', async () => {
    const plain = await runDevkit(['doctor'], { cwd: repo, env: { NO_COLOR: undefined, FORCE_COLOR: undefined } });
    expect(hasAnsi(plain.stdout) || hasAnsi(plain.stderr)).toBe(false);
    for (const value of ['1', '2', '3', 'true', '']) {
      // runDevkit sets NO_COLOR=1: a supported FORCE_COLOR wins over it, as in Node.
      const forced = await runDevkit(['doctor'], { cwd: repo, env: { FORCE_COLOR: value } });
      expect(hasAnsi(forced.stdout), `FORCE_COLOR=${value} on stdout`).toBe(true);
      expect(hasAnsi(forced.stderr), `FORCE_COLOR=${value} on stderr`).toBe(true);
    }
    const flag = await runDevkit(['doctor', '--color'], { cwd: repo });
    expect(hasAnsi(flag.stdout) && hasAnsi(flag.stderr)).toBe(true);
    const both = await runDevkit(['doctor', '--no-color'], { cwd: repo, env: { FORCE_COLOR: '1' } });
    expect(hasAnsi(both.stdout) || hasAnsi(both.stderr)).toBe(false);
  });

  it('colours a usage error as asked, before the command line is even parsed', async () => {
    const run = await runDevkit(['doctr', '--color'], { cwd: repo });
    expect(run.exitCode).toBe(2);
    expect(hasAnsi(run.stderr)).toBe(true);
    expect(run.stderr).toContain('E_UNKNOWN_COMMAND');
  });
});
