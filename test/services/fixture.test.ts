import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixture, writeFiles } from '@devkit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupCheckouts,
  devkit,
  parseJson,
  psql,
  requireServiceBinaries,
  trackCheckout,
  type StatusJson,
} from './helpers.js';

// The fixture monorepo with services added to its devkit.json, a migration in apps/api.
describe('services in the acme fixture', () => {
  let dir: string;
  beforeAll(() => {
    requireServiceBinaries();
    dir = trackCheckout(copyFixture('acme'));
    chmodSync(dir, 0o700);
    const config = JSON.parse(readFileSync(join(dir, 'devkit.json'), 'utf8'));
    config.services = {
      postgres: {
        version: '15',
        databases: ['acme', 'acme_test'],
        setup: ['psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q -f apps/api/db/schema.sql'],
      },
      redis: { version: '7' },
    };
    writeFileSync(join(dir, 'devkit.json'), JSON.stringify(config, null, 2));
    writeFiles(dir, {
      'apps/api/db/schema.sql':
        "CREATE TABLE IF NOT EXISTS widgets (id serial primary key, name text not null);\nINSERT INTO widgets (name) SELECT 'first' WHERE NOT EXISTS (SELECT 1 FROM widgets);\n",
    });
  });
  afterAll(cleanupCheckouts);

  it('up creates the databases and runs the migration; env points at them; down stops everything', async () => {
    const up = await devkit(dir, ['up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const env = parseJson<Record<string, string>>(await devkit(dir, ['env', '--format', 'json']));
    const url = new URL(env.DATABASE_URL_ACME_TEST!);
    expect(url.pathname).toBe('/acme_test');
    expect(await psql(Number(url.port), 'acme', 'SELECT name FROM widgets')).toBe('first');
    expect(parseJson<StatusJson>(await devkit(dir, ['status', '--json'])).ok).toBe(true);
    const down = await devkit(dir, ['down']);
    expect(down.exitCode).toBe(0);
    expect(parseJson<StatusJson>(await devkit(dir, ['status', '--json'])).services.map((s) => s.state)).toEqual([
      'stopped',
      'stopped',
    ]);
  });
});
