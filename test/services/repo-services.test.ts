import { afterAll, describe, expect, it } from 'vitest';
import { cleanupCheckouts, memcached, psql, redisCli, requireServiceBinaries } from './helpers.js';
import { repoServices } from './repo-services.js';

// The repo's own services (devkit.json), as the rest of the test suite uses them.
describe("the repo's services", () => {
  afterAll(cleanupCheckouts);

  it('run (started if down) and answer at the URLs devkit env gives', async () => {
    requireServiceBinaries();
    const env = await repoServices();
    const pg = new URL(env.DATABASE_URL_DEVKIT_TEST!);
    expect(await psql(Number(pg.port), 'devkit_test', 'SELECT 1')).toBe('1');
    expect(await redisCli(Number(new URL(env.REDIS_URL!).port), 'PING')).toBe('PONG');
    expect(await memcached(Number(env.MEMCACHED_SERVERS!.split(':')[1]), 'version\r\n', /\r\n$/)).toMatch(/^VERSION /);
    expect((await fetch(`${env.REGISTRY_URL}/v2/`)).status).toBe(200);
  });
});
