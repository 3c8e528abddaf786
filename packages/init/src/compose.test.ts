import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@devkit/config/schema';
import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { inferServices, interpolate, parseImage, versionFromTag } from './compose.js';

afterAll(cleanupTempDirs);

const COMPOSE = `services:
  db:
    image: \${PG_IMAGE:-postgres:15.4-alpine}
    environment:
      POSTGRES_DB: \${DB_NAME:-app}
      POSTGRES_USER: app
      POSTGRES_PASSWORD: hunter2
    ports:
      - "127.0.0.1:5433:5432"
  cache:
    image: docker.io/library/redis:7.2
    ports:
      - target: 6379
        published: 6380
  mc:
    image: memcached:1.6.21-alpine
  registry:
    image: registry:2.8
    environment:
      - REGISTRY_STORAGE_DELETE_ENABLED=true
  mysql:
    image: mysql:8
  web:
    build: .
`;

describe('inferServices', () => {
  it('maps postgres, redis, memcached and registry images to their versions and lists the rest with the reason', async () => {
    const root = tempDir();
    writeFiles(root, { 'docker-compose.yml': COMPOSE });
    const result = await inferServices(root);
    expect(result.file).toBe('docker-compose.yml');
    expect(result.services).toEqual({
      postgres: { version: '15', databases: ['app'] },
      redis: { version: '7' },
      memcached: { version: '1.6' },
      registry: { version: '2' },
    });
    expect(result.migrated.map((m) => [m.from, m.kind, m.ports])).toEqual([
      ['db', 'postgres', ['5433:5432']],
      ['cache', 'redis', ['6380:6379']],
      ['mc', 'memcached', []],
      ['registry', 'registry', []],
    ]);
    expect(result.notMigrated).toEqual([
      expect.objectContaining({
        from: 'mysql',
        image: 'mysql:8',
        reason: expect.stringContaining('mysql is none of them'),
      }),
      expect.objectContaining({
        from: 'web',
        image: undefined,
        reason: expect.stringContaining('built from a Dockerfile'),
      }),
    ]);
    const userNote = result.notes.find((n) => n.includes('user "app"'));
    expect(userNote).toContain('a password (not shown)');
    expect(result.notes.join('\n')).not.toContain('hunter2');
    // what init writes is what devkit.json's schema accepts
    expect(parseConfig(JSON.stringify({ services: result.services }), 'devkit.json').services?.postgres?.version).toBe(
      '15',
    );
  });

  it('interpolates from the project .env over the defaults, and says which variables have no value', async () => {
    const root = tempDir();
    writeFiles(root, {
      'compose.yaml':
        'services:\n  db:\n    image: postgres:${PG_TAG}\n    environment:\n      - POSTGRES_DB=${DB_NAME:-app}\n  kv:\n    image: redis:${REDIS_TAG}\n',
      // docker-compose.yml is compose's second choice: compose.yaml wins
      'docker-compose.yml': 'services:\n  other:\n    image: redis:6\n',
      '.env': 'PG_TAG=16.2\nDB_NAME="shop_dev"\n',
    });
    const result = await inferServices(root);
    expect(result.file).toBe('compose.yaml');
    expect(result.services.postgres).toEqual({ version: '16', databases: ['shop_dev'] });
    expect(result.services.redis).toBeUndefined();
    expect(result.notMigrated[0]).toMatchObject({ from: 'kv', reason: expect.stringContaining('names no version') });
    expect(result.notes).toContain('compose.yaml: REDIS_TAG has no value in .env and no default; read as empty');
  });

  it('compose files it does not read (another name, docker/) are named in a note with the fix, and nothing is inferred from them', async () => {
    const root = tempDir();
    writeFiles(root, {
      'docker-compose.dev.yml': 'services:\n  db:\n    image: postgres:16\n',
      'docker/docker-compose.yml': 'services:\n  cache:\n    image: redis:7\n',
      'docker/Dockerfile': 'FROM scratch\n',
    });
    const result = await inferServices(root);
    expect(result.services).toEqual({});
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatch(
      /^docker-compose\.dev\.yml, docker\/docker-compose\.yml not read: devkit init reads services from compose\.yaml, .* at the root only; declare .* in devkit\.json services by hand/,
    );
    expect((await inferServices(tempDir())).notes).toEqual([]);
  });

  it('a database name that is not an SQL identifier is noted, not written', async () => {
    const root = tempDir();
    writeFiles(root, {
      'compose.yml': 'services:\n  db:\n    image: postgres:14\n    environment: { POSTGRES_DB: my-app }\n',
    });
    const result = await inferServices(root);
    expect(result.services.postgres).toEqual({ version: '14' });
    expect(result.notes[0]).toContain('"my-app" is not a plain SQL identifier');
  });

  it('a second postgres at another major is not migrated; at the same major its database is added', async () => {
    const root = tempDir();
    writeFiles(root, {
      'compose.yml':
        'services:\n  a:\n    image: postgres:15\n    environment: { POSTGRES_DB: one }\n  b:\n    image: postgres:15.2\n    environment: { POSTGRES_DB: two }\n  c:\n    image: postgres:16\n',
    });
    const result = await inferServices(root);
    expect(result.services.postgres).toEqual({ version: '15', databases: ['one', 'two'] });
    expect(result.notMigrated).toEqual([
      expect.objectContaining({ from: 'c', reason: expect.stringContaining('already 15 from a') }),
    ]);
  });

  it('invalid YAML is exit 2 naming the file', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'docker-compose.yaml'), 'services:\n  db: [\n');
    await expect(inferServices(root)).rejects.toMatchObject({ code: 'E_COMPOSE_INVALID', exitCode: 2 });
  });

  it('no compose file: nothing', async () => {
    expect((await inferServices(tempDir())).file).toBeUndefined();
  });
});

describe('image tags', () => {
  it('reads the repository past a registry host, library/ and a digest', () => {
    expect(parseImage('registry.example.com:5000/library/postgres:15.4-alpine@sha256:abc')).toEqual({
      repository: 'postgres',
      tag: '15.4-alpine',
    });
    expect(parseImage('bitnami/redis')).toEqual({ repository: 'bitnami/redis', tag: undefined });
  });

  it('takes the major, postgres before 10 and memcached as major.minor', () => {
    expect(versionFromTag('postgres', '15.4-alpine')).toBe('15');
    expect(versionFromTag('postgres', '9.6.24')).toBe('9.6');
    expect(versionFromTag('redis', '7.2.4-bookworm')).toBe('7');
    expect(versionFromTag('memcached', '1.6.21')).toBe('1.6');
    expect(versionFromTag('memcached', '1')).toBeUndefined();
    expect(versionFromTag('registry', 'latest')).toBeUndefined();
    expect(versionFromTag('postgres', undefined)).toBeUndefined();
  });

  it('interpolates as compose does', () => {
    const missing = new Set<string>();
    const vars = { EMPTY: '', SET: 'x' };
    expect(interpolate('${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${SET:-d} $SET $$SET ${NONE}', vars, missing)).toBe(
      'd  d x x $SET ',
    );
    expect([...missing]).toEqual(['NONE']);
  });
});
