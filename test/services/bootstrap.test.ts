import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupCheckouts,
  devkit,
  makeCheckout,
  parseJson,
  psql,
  requireServiceBinaries,
  storedPort,
  supervisorRecord,
} from './helpers.js';

interface BootstrapJson {
  ok: boolean;
  steps: Array<{ id: string; status: string; summary: string }>;
}

const servicesStep = (run: BootstrapJson) => run.steps.find((s) => s.id === 'services');

describe('the services step of devkit bootstrap', () => {
  let dir: string;
  beforeAll(() => {
    requireServiceBinaries();
    dir = makeCheckout(
      {
        postgres: {
          version: '15',
          databases: ['app'],
          setup: ['psql "$DATABASE_URL_APP" -v ON_ERROR_STOP=1 -q -f db/schema.sql && echo ran >> setup-runs.log'],
        },
      },
      { 'db/schema.sql': 'CREATE TABLE IF NOT EXISTS items (id int);\n' },
    );
  });
  afterAll(cleanupCheckouts);

  it('starts the services, runs setup, writes .env.devkit; then skips itself while nothing changes', async () => {
    const first = await devkit(dir, ['bootstrap', '--yes', '--json']);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(servicesStep(parseJson<BootstrapJson>(first))!.status).toBe('done');
    const port = storedPort(dir, 'postgres-15');
    expect(readFileSync(join(dir, '.env.devkit'), 'utf8')).toContain(
      `DATABASE_URL=postgres://postgres@127.0.0.1:${port}/app`,
    );
    expect(await psql(port, 'app', "SELECT count(*) FROM information_schema.tables WHERE table_name = 'items'")).toBe(
      '1',
    );
    expect(readFileSync(join(dir, 'setup-runs.log'), 'utf8')).toBe('ran\n');

    const warm = parseJson<BootstrapJson>(await devkit(dir, ['bootstrap', '--yes', '--json']));
    expect(servicesStep(warm)!.status).toBe('skipped');
    expect(readFileSync(join(dir, 'setup-runs.log'), 'utf8')).toBe('ran\n');
  });

  it('runs setup again only when a file it names changes', async () => {
    writeFileSync(
      join(dir, 'db/schema.sql'),
      'CREATE TABLE IF NOT EXISTS items (id int);\nCREATE TABLE IF NOT EXISTS orders (id int);\n',
    );
    const run = parseJson<BootstrapJson>(await devkit(dir, ['bootstrap', '--yes', '--json']));
    expect(servicesStep(run)!.status).toBe('done');
    expect(servicesStep(run)!.summary).toContain('setup due: postgres');
    expect(readFileSync(join(dir, 'setup-runs.log'), 'utf8')).toBe('ran\nran\n');
    expect(
      await psql(
        storedPort(dir, 'postgres-15'),
        'app',
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'orders'",
      ),
    ).toBe('1');
  });

  it('restarts a service killed with -9 (data intact) and skips the step with --no-services', async () => {
    const port = storedPort(dir, 'postgres-15');
    await psql(port, 'app', 'INSERT INTO items VALUES (7)');
    process.kill(supervisorRecord(dir, 'postgres-15').service!.pid, 'SIGKILL');
    const skipped = parseJson<BootstrapJson>(await devkit(dir, ['bootstrap', '--yes', '--no-services', '--json']));
    expect(servicesStep(skipped)).toBeUndefined();
    const doctor = await devkit(dir, ['doctor']);
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toMatch(/postgres \(killed by SIGKILL/);
    const run = parseJson<BootstrapJson>(await devkit(dir, ['bootstrap', '--yes', '--json']));
    expect(servicesStep(run)!.status).toBe('done');
    expect(await psql(port, 'app', 'SELECT id FROM items')).toBe('7');
  });

  it('brings a running service in line when its devkit.json entry changes (a new database)', async () => {
    const config = JSON.parse(readFileSync(join(dir, 'devkit.json'), 'utf8'));
    config.services.postgres.databases = ['app', 'reports'];
    writeFileSync(join(dir, 'devkit.json'), JSON.stringify(config, null, 2));
    const run = parseJson<BootstrapJson>(await devkit(dir, ['bootstrap', '--yes', '--json']));
    expect(servicesStep(run)!.status).toBe('done');
    expect(servicesStep(run)!.summary).toBe('config changed: postgres');
    const port = storedPort(dir, 'postgres-15');
    expect(await psql(port, 'reports', 'SELECT current_database()')).toBe('reports');
    expect(readFileSync(join(dir, '.env.devkit'), 'utf8')).toContain(
      `DATABASE_URL_REPORTS=postgres://postgres@127.0.0.1:${port}/reports`,
    );
    expect(servicesStep(parseJson<BootstrapJson>(await devkit(dir, ['bootstrap', '--yes', '--json'])))!.status).toBe(
      'skipped',
    );
  });
});
