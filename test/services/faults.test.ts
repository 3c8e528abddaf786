import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupCheckouts,
  devkit,
  isRunning,
  makeCheckout,
  parseJson,
  processesUnder,
  psql,
  redisCli,
  requireServiceBinaries,
  storedPort,
  type StatusJson,
} from './helpers.js';

describe('service faults', () => {
  const holders: ChildProcess[] = [];
  beforeAll(requireServiceBinaries);
  afterAll(async () => {
    for (const holder of holders) holder.kill('SIGKILL');
    await cleanupCheckouts();
  });

  it('a port taken by another process is a clear error naming that process (exit 3), never a clash', async () => {
    const dir = makeCheckout({ redis: { version: '7' } });
    expect((await devkit(dir, ['up'])).exitCode).toBe(0);
    const port = storedPort(dir, 'redis-7');
    expect((await devkit(dir, ['down'])).exitCode).toBe(0);
    const holder = spawn(
      process.execPath,
      ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    holders.push(holder);
    await new Promise((resolvePromise) => holder.stdout!.once('data', resolvePromise));

    const up = await devkit(dir, ['up']);
    expect(up.exitCode).toBe(3);
    expect(up.stderr).toContain(
      `error E_SERVICE_PORT_TAKEN: port ${port} of redis (.devkit/services/redis-7/port) is already in use by pid ${holder.pid} (${process.execPath} -e`,
    );
    expect(up.stderr).toContain(`kill ${holder.pid}`);
    holder.kill('SIGKILL');
    await new Promise((resolvePromise) => holder.once('exit', resolvePromise));
    const again = await devkit(dir, ['up']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(storedPort(dir, 'redis-7')).toBe(port);
  });

  it('a declared version other than the installed one is exit 1 naming both', async () => {
    const dir = makeCheckout({ redis: { version: '6' } });
    const up = await devkit(dir, ['up']);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toMatch(
      /error E_SERVICE_VERSION: services\.redis\.version is 6, but the installed Redis is 7\.\d+\.\d+ \(\/usr\/bin\/redis-server\)/,
    );
    expect(up.stderr).toContain('apt-get install');
  });

  it('a missing binary is exit 3 with the install command (PATH stripped)', async () => {
    const dir = makeCheckout({ memcached: { version: '1.6' } });
    const up = await devkit(dir, ['up'], { PATH: '/nonexistent' });
    expect(up.exitCode).toBe(3);
    expect(up.stderr).toContain('error E_SERVICE_BINARY_MISSING: Memcached (memcached) was not found');
    expect(up.stderr).toMatch(/fix: (sudo )?apt-get install -y --no-install-recommends memcached/);
  });

  it('postgres data of another major version is refused with the pg_upgrade path (exit 1)', async () => {
    const dir = makeCheckout({ postgres: { version: '15' } });
    expect((await devkit(dir, ['up'])).exitCode).toBe(0);
    expect((await devkit(dir, ['down'])).exitCode).toBe(0);
    writeFileSync(join(dir, '.devkit/services/postgres-15/data/PG_VERSION'), '14\n');
    const up = await devkit(dir, ['up']);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toContain('holds PostgreSQL 14 data, but the binary is PostgreSQL 15.');
    expect(up.stderr).toContain('pg_upgrade -b /usr/lib/postgresql/14/bin -B /usr/lib/postgresql/15/bin');
    const status = parseJson<StatusJson>(await devkit(dir, ['status', '--json']));
    expect(status.services[0]!.state).toBe('stopped');
  });

  it('two checkouts run side by side on their own ports and sockets', async () => {
    const services = { postgres: { version: '15', databases: ['app'] }, redis: { version: '7' } };
    const a = makeCheckout(services);
    const b = makeCheckout(services);
    const [upA, upB] = await Promise.all([devkit(a, ['up']), devkit(b, ['up'])]);
    expect(upA.exitCode, upA.stderr).toBe(0);
    expect(upB.exitCode, upB.stderr).toBe(0);
    const portsA = [storedPort(a, 'postgres-15'), storedPort(a, 'redis-7')];
    const portsB = [storedPort(b, 'postgres-15'), storedPort(b, 'redis-7')];
    expect(new Set([...portsA, ...portsB]).size).toBe(4);
    await psql(portsA[0]!, 'app', "CREATE TABLE owner (name text); INSERT INTO owner VALUES ('a')");
    await psql(portsB[0]!, 'app', "CREATE TABLE owner (name text); INSERT INTO owner VALUES ('b')");
    await redisCli(portsA[1]!, 'SET', 'who', 'a');
    await redisCli(portsB[1]!, 'SET', 'who', 'b');
    expect(await psql(portsA[0]!, 'app', 'SELECT name FROM owner')).toBe('a');
    expect(await psql(portsB[0]!, 'app', 'SELECT name FROM owner')).toBe('b');
    expect(await redisCli(portsB[1]!, 'GET', 'who')).toBe('b');
    expect((await devkit(a, ['down'])).exitCode).toBe(0);
    const statusB = parseJson<StatusJson>(await devkit(b, ['status', '--json']));
    expect(statusB.ok).toBe(true);
  });

  it('a service that fails to start is reported with the end of its log (exit 1) and nothing is left running', async () => {
    const dir = makeCheckout({ redis: { version: '7' } });
    expect((await devkit(dir, ['up'])).exitCode).toBe(0);
    expect((await devkit(dir, ['down'])).exitCode).toBe(0);
    writeFileSync(
      join(dir, '.devkit/services/redis-7/data/appendonlydir/appendonly.aof.manifest'),
      'this is not a manifest\n',
    );
    const up = await devkit(dir, ['up']);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toContain('error E_SERVICE_START_FAILED: redis: exited while starting');
    expect(up.stderr).toContain('last lines of');
    expect(up.stderr).toMatch(/manifest/i);
    expect(up.stderr).toContain('fix: devkit logs redis');
    expect(processesUnder(dir)).toEqual([]);
    const reset = await devkit(dir, ['reset', 'redis', '--yes']);
    expect(reset.exitCode, reset.stderr).toBe(0);
    expect((await devkit(dir, ['up'])).exitCode).toBe(0);
  });

  it('two devkit up at once in one checkout start each service once', async () => {
    const dir = makeCheckout({ redis: { version: '7' }, memcached: { version: '1.6' } });
    const runs = await Promise.all([devkit(dir, ['up']), devkit(dir, ['up'])]);
    for (const run of runs) expect(run.exitCode, run.stderr).toBe(0);
    const commands = processesUnder(dir).map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    expect(commands.filter((c) => c.startsWith('/usr/bin/redis-server')).length).toBe(1);
    expect(parseJson<StatusJson>(await devkit(dir, ['status', '--json'])).ok).toBe(true);
  });

  it('bootstrap without --yes stops at a missing service binary, printing the install command (exit 3)', async () => {
    const dir = makeCheckout({ memcached: { version: '1.6' } });
    const run = await devkit(dir, ['bootstrap'], { PATH: '/nonexistent' });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('error E_SERVICE_BINARY_MISSING: Memcached is not installed');
    expect(run.stderr).toMatch(
      /fix: (sudo )?apt-get install -y --no-install-recommends memcached {3}\(or: devkit bootstrap --yes\)/,
    );
  });

  it('doctor names the install command of a missing service', async () => {
    const dir = makeCheckout({ memcached: { version: '1.6' } });
    const doctor = await devkit(dir, ['doctor', '--json'], { PATH: '/nonexistent' });
    expect(doctor.exitCode).toBe(1);
    const report = parseJson<{ problems: Array<{ step: string; code: string; fix?: string }> }>(doctor);
    const problem = report.problems.find((p) => p.step === 'services' && p.code === 'E_SERVICE_BINARY_MISSING');
    expect(problem?.fix).toMatch(
      /apt-get install -y --no-install-recommends memcached {3}\(or: devkit bootstrap --yes\)/,
    );
  });

  it('a service no longer declared is pointed out by status and stopped by down', async () => {
    const dir = makeCheckout({ redis: { version: '7' }, memcached: { version: '1.6' } });
    expect((await devkit(dir, ['up'])).exitCode).toBe(0);
    const redisPid = JSON.parse(readFileSync(join(dir, '.devkit/services/redis-7/supervisor.json'), 'utf8')).service
      .pid as number;
    writeFileSync(join(dir, 'devkit.json'), JSON.stringify({ services: { memcached: { version: '1.6' } } }));
    const status = await devkit(dir, ['status', '--json']);
    expect(status.exitCode).toBe(0);
    expect(parseJson<{ undeclared: Array<{ name: string; state: string }> }>(status).undeclared).toEqual([
      expect.objectContaining({ name: 'redis-7', state: 'running' }),
    ]);
    const down = await devkit(dir, ['down']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/redis-7\s+stopped/);
    expect(isRunning(redisPid)).toBe(false);
    expect(processesUnder(dir)).toEqual([]);
  });

  it("a checkout copied with its .devkit folder does not mistake the original's services for its own", async () => {
    const a = makeCheckout({ redis: { version: '7' } });
    expect((await devkit(a, ['up'])).exitCode).toBe(0);
    const pid = JSON.parse(readFileSync(join(a, '.devkit/services/redis-7/supervisor.json'), 'utf8')).service
      .pid as number;
    const b = makeCheckout({ redis: { version: '7' } });
    cpSync(join(a, '.devkit'), join(b, '.devkit'), { recursive: true });
    const status = parseJson<StatusJson>(await devkit(b, ['status', '--json']));
    expect(status.services[0]!.state).toBe('stopped');
    expect((await devkit(b, ['down'])).exitCode).toBe(0);
    expect(isRunning(pid)).toBe(true);
    const up = await devkit(b, ['up']);
    expect(up.exitCode).toBe(3);
    expect(up.stderr).toContain(`is already in use by pid ${pid}`);
  });
});
