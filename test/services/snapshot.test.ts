import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupCheckouts,
  devkit,
  makeCheckout,
  parseJson,
  psql,
  redisCli,
  requireServiceBinaries,
  storedPort,
} from './helpers.js';

describe('snapshots and reset', () => {
  let dir: string;
  let pg: number;
  let redis: number;
  beforeAll(async () => {
    requireServiceBinaries();
    dir = makeCheckout({ postgres: { version: '15', databases: ['app'] }, redis: { version: '7' } });
    const up = await devkit(dir, ['up']);
    expect(up.exitCode, up.stderr).toBe(0);
    pg = storedPort(dir, 'postgres-15');
    redis = storedPort(dir, 'redis-7');
  });
  afterAll(cleanupCheckouts);

  it('restores the data from before a destructive change', async () => {
    await psql(pg, 'app', "CREATE TABLE users (name text); INSERT INTO users VALUES ('ada'), ('grace')");
    await redisCli(redis, 'SET', 'session', 'abc');
    const save = await devkit(dir, ['snapshot', 'save', 'before-migration']);
    expect(save.exitCode, save.stderr).toBe(0);
    expect(save.stdout).toMatch(/snapshot before-migration: postgres-15, redis-7/);
    // The services were stopped for a consistent copy and are running again.
    expect(await psql(pg, 'app', 'SELECT count(*) FROM users')).toBe('2');

    await psql(pg, 'app', 'DROP TABLE users');
    await redisCli(redis, 'FLUSHALL');
    const ls = parseJson<{ snapshots: Array<{ name: string; services: string[]; bytes: number }> }>(
      await devkit(dir, ['snapshot', 'ls', '--json']),
    );
    expect(ls.snapshots.map((s) => [s.name, s.services])).toEqual([['before-migration', ['postgres-15', 'redis-7']]]);
    expect(ls.snapshots[0]!.bytes).toBeGreaterThan(1_000_000);

    const restore = await devkit(dir, ['snapshot', 'restore', 'before-migration']);
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(await psql(pg, 'app', "SELECT string_agg(name, ',' ORDER BY name) FROM users")).toBe('ada,grace');
    expect(await redisCli(redis, 'GET', 'session')).toBe('abc');
  });

  it('names the snapshots there are when asked for one that is not', async () => {
    const run = await devkit(dir, ['snapshot', 'restore', 'before-migratoin']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no snapshot named "before-migratoin" (did you mean before-migration?)');
  });

  it('reset wipes one service and starts it again empty, databases included', async () => {
    const refused = await devkit(dir, ['reset', 'postgres']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('devkit reset postgres --yes');
    expect(await psql(pg, 'app', 'SELECT count(*) FROM users')).toBe('2');

    const reset = await devkit(dir, ['reset', 'postgres', '--yes']);
    expect(reset.exitCode, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('postgres: data deleted; started again empty');
    expect(await psql(pg, 'app', "SELECT count(*) FROM information_schema.tables WHERE table_name = 'users'")).toBe(
      '0',
    );
    // Redis was not touched.
    expect(await redisCli(redis, 'GET', 'session')).toBe('abc');
  });

  it('down --purge --yes deletes the data and keeps the port', async () => {
    const purge = await devkit(dir, ['down', 'redis', '--purge', '--yes']);
    expect(purge.exitCode, purge.stderr).toBe(0);
    expect(purge.stdout).toMatch(/redis\s+stopped, data deleted/);
    expect(existsSync(join(dir, '.devkit/services/redis-7/data'))).toBe(false);
    expect(storedPort(dir, 'redis-7')).toBe(redis);
    expect((await devkit(dir, ['up', 'redis'])).exitCode).toBe(0);
    expect(await redisCli(redis, 'GET', 'session')).toBe('');
  });
});
