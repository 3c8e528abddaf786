import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { DEVKIT_BIN, waitFor } from '@devkit/test-utils';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_SERVICES,
  cleanupCheckouts,
  devkit,
  getBlob,
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

// One checkout with all four services: write through a real client, `down`, `up`, read back.
describe("devkit up / down / up keeps each service's data", () => {
  let dir: string;
  let ports: Record<string, number>;

  beforeAll(async () => {
    requireServiceBinaries();
    dir = makeCheckout(ALL_SERVICES, { '.env': 'MINE=1\n' });
    const up = await devkit(dir, ['up']);
    expect(up.exitCode, up.stderr).toBe(0);
    ports = {
      postgres: storedPort(dir, 'postgres-15'),
      redis: storedPort(dir, 'redis-7'),
      memcached: storedPort(dir, 'memcached-1'),
      registry: storedPort(dir, 'registry-2'),
    };
  });
  afterAll(cleanupCheckouts);

  it('starts all four on distinct loopback ports, healthy, with URLs, and writes .env.devkit but not .env', async () => {
    expect(new Set(Object.values(ports)).size).toBe(4);
    const status = await devkit(dir, ['status', '--json']);
    expect(status.exitCode).toBe(0);
    const report = parseJson<StatusJson>(status);
    expect(report.ok).toBe(true);
    expect(report.services.map((s) => [s.name, s.state, s.healthy])).toEqual([
      ['postgres', 'running', true],
      ['redis', 'running', true],
      ['memcached', 'running', true],
      ['registry', 'running', true],
    ]);
    expect(report.services.find((s) => s.name === 'postgres')!.version).toMatch(/^15\./);
    expect(report.services.find((s) => s.name === 'postgres')!.url).toBe(
      `postgres://postgres@127.0.0.1:${ports.postgres}/app`,
    );
    for (const s of report.services) expect(s.pid).toBeGreaterThan(0);

    const env = await devkit(dir, ['env', '--format', 'json']);
    expect(parseJson<Record<string, string>>(env)).toEqual({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${ports.postgres}/app`,
      DATABASE_URL_APP: `postgres://postgres@127.0.0.1:${ports.postgres}/app`,
      DATABASE_URL_APP_TEST: `postgres://postgres@127.0.0.1:${ports.postgres}/app_test`,
      REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
      MEMCACHED_SERVERS: `127.0.0.1:${ports.memcached}`,
      REGISTRY_URL: `http://127.0.0.1:${ports.registry}`,
    });
    const shell = await devkit(dir, ['env', '--format', 'shell']);
    expect(shell.stdout).toContain(`export REDIS_URL='redis://127.0.0.1:${ports.redis}'`);
    expect(readFileSync(join(dir, '.env.devkit'), 'utf8')).toContain(
      `DATABASE_URL_APP_TEST=postgres://postgres@127.0.0.1:${ports.postgres}/app_test`,
    );
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('MINE=1\n');
  });

  it('keeps postgres, redis and registry data across down and up; memcached comes back empty, as a cache does', async () => {
    await psql(ports.postgres!, 'app', "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')");
    expect(await psql(ports.postgres!, 'app_test', 'SELECT current_database()')).toBe('app_test');
    expect(await redisCli(ports.redis!, 'SET', 'greeting', 'hello')).toBe('OK');
    expect(await memcached(ports.memcached!, 'set k 0 0 5\r\nvalue\r\nget k\r\n', /END\r\n$/)).toContain(
      'VALUE k 0 5\r\nvalue',
    );
    const digest = await pushBlob(ports.registry!, 'devkit/test', 'blob body');

    const down = await devkit(dir, ['down']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/postgres\s+stopped/);
    expect(existsSync(join(dir, '.devkit/services/postgres-15/supervisor.json'))).toBe(false);
    const stopped = parseJson<StatusJson>(await devkit(dir, ['status', '--json']));
    expect(stopped.services.every((s) => s.state === 'stopped' && !s.healthy)).toBe(true);

    const up = await devkit(dir, ['up']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(storedPort(dir, 'postgres-15')).toBe(ports.postgres);
    expect(await psql(ports.postgres!, 'app', 'SELECT body FROM notes')).toBe('kept');
    expect(await redisCli(ports.redis!, 'GET', 'greeting')).toBe('hello');
    expect(await memcached(ports.memcached!, 'get k\r\n', /END\r\n$/)).toBe('END\r\n');
    expect(await getBlob(ports.registry!, 'devkit/test', digest)).toEqual({ status: 200, body: 'blob body' });
  });

  it('runs every service as the unprivileged user when devkit runs as root', async () => {
    const record = supervisorRecord(dir, 'postgres-15');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${record.service!.pid}/status`, 'utf8'))![1]);
    const up = await devkit(dir, ['up', 'postgres']);
    if (process.getuid!() === 0) {
      expect(uid).not.toBe(0);
      expect(up.stderr).toMatch(/runs as root: services run as the unprivileged user devkit/);
      // The checkout folder was private (0700): devkit opened it for search, and said so.
      expect(statSync(dir).mode & 0o001).toBe(0o001);
    } else {
      expect(uid).toBe(process.getuid!());
    }
    expect(up.stdout).toMatch(/postgres\s+already running/);
  });

  it('follows a service log with -f until Ctrl-C', async () => {
    const log = join(dir, '.devkit/services/redis-7/service.log');
    const child = spawn(process.execPath, [DEVKIT_BIN, 'logs', 'redis', '-f', '-n', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
    const following = {
      failIf: () => child.exitCode !== null && `devkit logs -f exited ${child.exitCode}: ${err}`,
      detail: () => `stdout so far: ${JSON.stringify(out)}`,
    };
    // -f starts from the end of the log as it first finds it; a line appended before that is
    // not followed. Appending a probe line until one is printed shows that -f has started.
    let probes = 0;
    await waitFor(
      () => {
        appendFileSync(log, `devkit test probe ${++probes}\n`);
        return out.includes('devkit test probe');
      },
      { what: 'logs -f to print a probe line appended to redis-7/service.log', intervalMs: 100, ...following },
    );
    appendFileSync(log, 'a line written after -f started\n');
    await waitFor(() => out.includes('a line written after -f started'), {
      what: 'logs -f to print the line written after it started',
      ...following,
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(out).toContain('a line written after -f started');
    expect(code).toBe(0);
  });

  it('prints the end of a service log', async () => {
    const logs = await devkit(dir, ['logs', 'postgres', '-n', '5']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout.trim().split('\n').length).toBeLessThanOrEqual(5);
    expect(readFileSync(join(dir, '.devkit/services/postgres-15/service.log'), 'utf8')).toMatch(
      /database system is ready to accept connections/,
    );
  });
});

describe('user errors', () => {
  afterAll(cleanupCheckouts);

  it('names an unknown service with the nearest declared one (exit 2)', async () => {
    const dir = makeCheckout({ redis: { version: '7' } });
    const run = await devkit(dir, ['up', 'rediss']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('unknown service "rediss" (did you mean redis?)');
  });

  it('refuses to purge without a confirmation when there is no terminal (exit 2)', async () => {
    const dir = makeCheckout({ redis: { version: '7' } });
    const run = await devkit(dir, ['down', '--purge']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('devkit down --purge --yes');
  });
});
