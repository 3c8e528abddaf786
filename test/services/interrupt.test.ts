import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEVKIT_BIN } from '@devkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupCheckouts,
  devkit,
  makeCheckout,
  parseJson,
  processesUnder,
  requireServiceBinaries,
  type StatusJson,
} from './helpers.js';

/**
 * Runs `devkit up` in a process group of its own, as a shell runs a foreground job, and sends
 * `signal` to the whole group — what the terminal does on Ctrl-C (SIGINT) or when it is closed
 * (SIGHUP) — once `ready(dir)` holds.
 */
async function interruptUp(
  dir: string,
  signal: NodeJS.Signals,
  ready: () => boolean,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [DEVKIT_BIN, 'up'], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
  const deadline = Date.now() + 60_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`never reached the point to interrupt at; stderr:\n${stderr}`);
    await sleep(10);
  }
  process.kill(-child.pid!, signal);
  return { code: await exited, stderr };
}

function assertNothingLeft(dir: string): void {
  expect(processesUnder(dir)).toEqual([]);
  const services = join(dir, '.devkit/services');
  for (const entry of readdirSync(services)) {
    expect(existsSync(join(services, entry, 'supervisor.json')), `${entry}/supervisor.json`).toBe(false);
    expect(existsSync(join(services, entry, 'data.init')), `${entry}/data.init`).toBe(false);
  }
}

describe('interrupting devkit up', () => {
  beforeAll(requireServiceBinaries);
  afterAll(cleanupCheckouts);

  it('Ctrl-C while PostgreSQL is being initialised stops everything this run started', async () => {
    const dir = makeCheckout({ postgres: { version: '15' }, redis: { version: '7' }, registry: { version: '2' } });
    const { code, stderr } = await interruptUp(
      dir,
      'SIGINT',
      () =>
        existsSync(join(dir, '.devkit/services/postgres-15/data.init/PG_VERSION')) ||
        existsSync(join(dir, '.devkit/services/postgres-15/data.init/base')),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('error E_INTERRUPTED: interrupted');
    expect(stderr).toContain('nothing was left half-started');
    assertNothingLeft(dir);
    expect(existsSync(join(dir, '.devkit/services/postgres-15/data'))).toBe(false);
    // The next run starts cleanly from scratch.
    const up = await devkit(dir, ['up']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(parseJson<StatusJson>(await devkit(dir, ['status', '--json'])).ok).toBe(true);
  });

  it('a closed terminal (SIGHUP) during setup stops what the run started, and a rerun finishes the job', async () => {
    const dir = makeCheckout({
      redis: { version: '7', setup: ['if [ ! -f .go ]; then touch .setup-started; sleep 30; fi'] },
      memcached: { version: '1.6' },
    });
    const { code, stderr } = await interruptUp(dir, 'SIGHUP', () => existsSync(join(dir, '.setup-started')));
    expect(code).toBe(1);
    expect(stderr).toContain('error E_INTERRUPTED');
    expect(stderr).toMatch(/stopped (redis, memcached|memcached, redis), which this run had started/);
    assertNothingLeft(dir);
    writeFileSync(join(dir, '.go'), '');
    const up = await devkit(dir, ['up']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toContain('ran setup (1 command(s))');
  });
});
