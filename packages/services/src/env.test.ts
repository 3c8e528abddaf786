import { describe, expect, it } from 'vitest';
import { formatEnv } from './env.js';
import { RUNNERS } from './runners/index.js';

const vars = {
  REDIS_URL: 'redis://127.0.0.1:21000',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:22000/app',
  ODD: "it's got spaces",
};

describe('formatEnv', () => {
  it('renders dotenv, shell and json, sorted by name', () => {
    expect(formatEnv(vars, 'dotenv')).toBe(
      'DATABASE_URL=postgres://postgres@127.0.0.1:22000/app\nODD="it\'s got spaces"\nREDIS_URL=redis://127.0.0.1:21000',
    );
    expect(formatEnv(vars, 'shell')).toBe(
      "export DATABASE_URL='postgres://postgres@127.0.0.1:22000/app'\nexport ODD='it'\\''s got spaces'\nexport REDIS_URL='redis://127.0.0.1:21000'",
    );
    expect(JSON.parse(formatEnv(vars, 'json'))).toEqual(vars);
  });
});

describe('service environment', () => {
  it('gives postgres a URL per database, the first as DATABASE_URL', () => {
    expect(RUNNERS.postgres.env(25000, { version: '15', databases: ['app', 'app_test'] })).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:25000/app',
      DATABASE_URL_APP: 'postgres://postgres@127.0.0.1:25000/app',
      DATABASE_URL_APP_TEST: 'postgres://postgres@127.0.0.1:25000/app_test',
    });
    expect(RUNNERS.postgres.env(25000, { version: '15' })).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:25000/postgres',
    });
    expect(RUNNERS.memcached.env(25001, { version: '1.6' })).toEqual({ MEMCACHED_SERVERS: '127.0.0.1:25001' });
    expect(RUNNERS.registry.env(25002, { version: '2' })).toEqual({ REGISTRY_URL: 'http://127.0.0.1:25002' });
  });
});
