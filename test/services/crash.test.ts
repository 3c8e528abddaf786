import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_SERVICES,
  cleanupCheckouts,
  devkit,
  getBlob,
  isRunning,
  makeCheckout,
  memcached,
  parseJson,
  psql,
  pushBlob,
  redisCli,
  requireServiceBinaries,
  storedPort,
  supervisorRecord,
  type StatusJson,
} from './helpers.js';

const DIRS = { postgres: 'postgres-15', redis: 'redis-7', memcached: 'memcached-1', registry: 'registry-2' } as const;

describe('a service killed with -9', () => {
  let dir: string;
  beforeAll(async () => {
    requireServiceBinaries();
    dir = makeCheckout(ALL_SERVICES);
    const up = await devkit(dir, ['up']);
    expect(up.exitCode, up.stderr).toBe(0);
  });
  afterAll(cleanupCheckouts);

  it('is reported down by status (exit 1) and restarted by up with its data intact', async () => {
    const pg = storedPort(dir, DIRS.postgres);
    const redis = storedPort(dir, DIRS.redis);
    const registry = storedPort(dir, DIRS.registry);
    await psql(pg, 'app', 'CREATE TABLE t (v int); INSERT INTO t VALUES (42)');
    await redisCli(redis, 'SET', 'k', 'survives');
    const digest = await pushBlob(registry, 'crash/test', 'still here');
    const before = Object.fromEntries(Object.entries(DIRS).map(([name, d]) => [name, supervisorRecord(dir, d)]));
    for (const record of Object.values(before)) process.kill(record.service!.pid, 'SIGKILL');

    const status = await devkit(dir, ['status', '--json']);
    expect(status.exitCode).toBe(1);
    const report = parseJson<StatusJson>(status);
    expect(report.ok).toBe(false);
    for (const s of report.services) {
      expect(s.state, s.name).toBe('crashed');
      expect(s.healthy).toBe(false);
      expect(s.reason).toContain('killed by SIGKILL');
    }
    const human = await devkit(dir, ['status']);
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toContain('fix: devkit up');

    const up = await devkit(dir, ['up']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/postgres\s+restarted/);
    expect(up.stderr).toContain('was crashed (killed by SIGKILL');
    expect(await psql(pg, 'app', 'SELECT v FROM t')).toBe('42');
    expect(await redisCli(redis, 'GET', 'k')).toBe('survives');
    expect(await getBlob(registry, 'crash/test', digest)).toEqual({ status: 200, body: 'still here' });
    expect(await memcached(storedPort(dir, DIRS.memcached), 'version\r\n', /\r\n$/)).toMatch(/^VERSION 1\.6\./);
    const after = parseJson<StatusJson>(await devkit(dir, ['status', '--json']));
    expect(after.ok).toBe(true);
  });

  it('with its supervisor killed with -9 is reported orphaned, then stopped and restarted under a new supervisor by up', async () => {
    const pg = storedPort(dir, DIRS.postgres);
    const old = supervisorRecord(dir, DIRS.postgres);
    process.kill(old.supervisor.pid, 'SIGKILL');
    const status = await devkit(dir, ['status', '--json']);
    expect(status.exitCode).toBe(1);
    const entry = parseJson<StatusJson>(status).services.find((s) => s.name === 'postgres')!;
    expect(entry.state).toBe('orphaned');
    expect(entry.reason).toContain('without its supervisor');

    const up = await devkit(dir, ['up', 'postgres']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toContain(`was running without its supervisor (pid ${old.service!.pid}): stopped it`);
    const fresh = supervisorRecord(dir, DIRS.postgres);
    expect(fresh.supervisor.pid).not.toBe(old.supervisor.pid);
    expect(isRunning(old.service!.pid)).toBe(false);
    expect(isRunning(fresh.service!.pid)).toBe(true);
    expect(await psql(pg, 'app', 'SELECT v FROM t')).toBe('42');
  });

  it('with its supervisor killed is stopped by down too: nothing keeps the port', async () => {
    const old = supervisorRecord(dir, DIRS.redis);
    process.kill(old.supervisor.pid, 'SIGKILL');
    const down = await devkit(dir, ['down', 'redis']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(isRunning(old.service!.pid)).toBe(false);
    const status = parseJson<StatusJson>(await devkit(dir, ['status', '--json']));
    expect(status.services.find((s) => s.name === 'redis')!.state).toBe('stopped');
    const up = await devkit(dir, ['up', 'redis']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(await redisCli(storedPort(dir, DIRS.redis), 'GET', 'k')).toBe('survives');
  });

  it('after a crash of both supervisor and service, a stale postmaster.pid naming a live process does not block the next start', async () => {
    const pg = storedPort(dir, DIRS.postgres);
    const record = supervisorRecord(dir, DIRS.postgres);
    process.kill(record.supervisor.pid, 'SIGKILL');
    process.kill(record.service!.pid, 'SIGKILL');
    const pidFile = join(dir, '.devkit/services/postgres-15/data/postmaster.pid');
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    // As after a reboot: the pid in the file now belongs to an unrelated, live process.
    lines[0] = String(process.pid);
    writeFileSync(pidFile, lines.join('\n'));
    const up = await devkit(dir, ['up', 'postgres']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toContain('removed stale data/postmaster.pid');
    expect(await psql(pg, 'app', 'SELECT v FROM t')).toBe('42');
  });
});
