import { execFileSync, spawn } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevkitError } from '@devkit/core';
import { withPostgresLock, withRedisLock } from '@devkit/environments';
import {
  DEVKIT_BIN,
  REPO_ROOT,
  cleanupTempDirs,
  git,
  gitInit,
  hasBinary,
  requirePrerequisite,
  runDevkit,
  tempDir,
  waitFor,
} from '@devkit/test-utils';
import { cloneAndInstall, fixtureRepo, racePromotes } from './helpers.js';

interface BuildJson {
  artifacts: Array<{ name: string; digest: string; layers: Array<{ part: string; digest: string }> }>;
}
interface HistoryJson {
  current: string | null;
  entries: Array<{ sequence: number; action: string; from: string | null; to: string }>;
  problems: string[];
}

let repo: string;
let registry = '';
let redis = '';
let postgres = '';
const digests: string[] = [];

function editConfig(change: (c: Record<string, unknown>) => void) {
  const file = join(repo, 'devkit.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(config);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  git(repo, 'commit', '-q', '-am', 'config');
}

async function devkit(args: string[], env: Record<string, string> = {}, cwd = repo) {
  return runDevkit(args, { cwd, env, timeoutMs: 240_000 });
}

async function buildApi(): Promise<string> {
  const r = await devkit(['build', '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as BuildJson).artifacts.find((a) => a.name === 'api')!.digest;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Sessions of devkit promotes waiting for an advisory lock, from pg_locks (psql, PostgreSQL's own client). */
function postgresLockWaiters(): number {
  const sql =
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name LIKE 'devkit promote%'";
  return Number(execFileSync('psql', [postgres, '-Atc', sql], { encoding: 'utf8' }).trim());
}

async function tagDigest(tag: string): Promise<string | null> {
  const r = await fetch(`${registry}/v2/api/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  return r.ok ? r.headers.get('docker-content-digest') : null;
}

/**
 * 8 processes × 20 promotes of api to `env`: every promote that moved the tag has its entry,
 * each entry's "from" is the previous one's "to", and the tag is the newest entry.
 */
async function raceAndExpectAgreement(env: string): Promise<void> {
  const history = async () =>
    JSON.parse((await devkit(['history', 'api', '--env', env, '--json'])).stdout) as HistoryJson;
  const before = (await history()).entries.length;
  const moved = await racePromotes({ cwd: repo, name: 'api', env, digests, workers: 8 });
  const h = await history();
  expect(moved).toBeGreaterThan(20);
  expect(h.entries.length).toBe(before + moved);
  expect(h.problems).toEqual([]);
  for (let i = 0; i + 1 < h.entries.length; i++) expect(h.entries[i]!.from).toBe(h.entries[i + 1]!.to);
  expect(h.current).toBe(h.entries[0]!.to);
  expect(await tagDigest(env)).toBe(h.entries[0]!.to);
}

beforeAll(async () => {
  requirePrerequisite(
    'docker-registry',
    hasBinary('docker-registry'),
    "install Debian's docker-registry (tools/system/20-services.sh does)",
  );
  requirePrerequisite(
    'redis-server',
    hasBinary('redis-server'),
    'install redis-server (tools/system/20-services.sh does)',
  );
  requirePrerequisite(
    'postgresql 15',
    existsSync('/usr/lib/postgresql/15/bin/postgres'),
    'install postgresql-15 (tools/system/20-services.sh does)',
  );
  repo = await cloneAndInstall(fixtureRepo(), 'registry');
  editConfig((c) => {
    c.services = {
      registry: { version: '2' },
      redis: { version: '7' },
      postgres: { version: '15', databases: ['locks'] },
    };
  });
  const up = await devkit(['up', 'registry', 'redis', 'postgres']);
  expect(up.exitCode, up.stderr).toBe(0);
  const env = JSON.parse((await devkit(['env', '--format', 'json'])).stdout) as Record<string, string>;
  registry = env.REGISTRY_URL!;
  redis = env.REDIS_URL!;
  postgres = env.DATABASE_URL_LOCKS!;
  expect(postgres).toMatch(/^postgres(ql)?:\/\//);
  expect(registry).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  editConfig((c) => {
    c.environments = {
      staging: { registry, lock: { redis } },
      production: { from: 'staging', registry, lock: { redis } },
      canary: { registry, lock: { postgres } },
      both: { registry, lock: { postgres, redis } },
      onprem: { from: 'staging', registry: `${registry}/onprem` },
    };
  });
  digests.push(await buildApi());
  writeFileSync(
    join(repo, 'apps/api/src/server.ts'),
    `${readFileSync(join(repo, 'apps/api/src/server.ts'), 'utf8')}// v2\n`,
  );
  git(repo, 'commit', '-q', '-am', 'v2');
  digests.push(await buildApi());
}, 600_000);

afterAll(async () => {
  if (repo) await devkit(['down']);
  cleanupTempDirs();
});

describe('artifacts on the registry started by `devkit up registry`', () => {
  it('pushes only missing blobs, promotes to staging then production through the gate, rolls back, and keeps the history', async () => {
    const [a, b] = digests as [string, string];
    const first = await devkit(['artifact', 'push', `api@${a}`, '--registry', registry, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ copied: 5, skipped: 0, referrers: 1 });
    const again = JSON.parse(
      (await devkit(['artifact', 'push', `api@${a}`, '--registry', registry, '--json'])).stdout,
    ) as { copied: number; skipped: number };
    expect(again).toMatchObject({ copied: 0, skipped: 5 });

    expect((await devkit(['promote', `api@${a}`, '--to', 'staging'])).exitCode).toBe(0);
    expect((await devkit(['promote', `api@${a}`, '--to', 'production'])).exitCode).toBe(0);
    const gated = await devkit(['promote', `api@${b}`, '--to', 'production']);
    expect(gated.exitCode).toBe(1);
    expect(gated.stderr).toContain('E_PROMOTION_GATE');
    // b was never pushed: promoting it copies only the blobs the registry lacks (the deps layer is shared).
    // The dry run names them and sends nothing.
    const planned = await devkit(['promote', `api@${b}`, '--to', 'staging', '--dry-run', '--json']);
    expect(planned.exitCode, planned.stderr).toBe(0);
    const plan = (
      JSON.parse(planned.stdout) as {
        plan: {
          copy: { repository: string; blobs: unknown[]; mountFrom: string | null };
          move: { from: string; to: string };
        };
      }
    ).plan;
    expect(plan.copy).toMatchObject({ repository: 'api', mountFrom: null });
    expect(plan.copy.blobs).toHaveLength(3);
    expect(plan.move).toMatchObject({ from: a, to: b });
    expect(await tagDigest('staging')).toBe(a);
    const toStaging = await devkit(['promote', `api@${b}`, '--to', 'staging', '--json']);
    expect(toStaging.exitCode, toStaging.stderr).toBe(0);
    expect(JSON.parse(toStaging.stdout).pushed).toMatchObject({ copied: 3, skipped: 2 });
    expect((await devkit(['promote', `api@${b}`, '--to', 'production'])).exitCode).toBe(0);
    const back = await devkit(['rollback', 'api', '--env', 'production']);
    expect(back.exitCode, back.stderr).toBe(0);

    const h = JSON.parse((await devkit(['history', 'api', '--env', 'production', '--json'])).stdout) as HistoryJson;
    expect(h.problems).toEqual([]);
    expect(h.entries.map((e) => [e.action, e.from, e.to])).toEqual([
      ['rollback', b, a],
      ['promote', a, b],
      ['promote', null, a],
    ]);
    expect(await tagDigest('production')).toBe(a);
    expect(await tagDigest('staging')).toBe(b);

    // Another checkout pulls what production runs, every blob checked.
    const other = tempDir();
    gitInit(other);
    const pulled = await devkit(['artifact', 'pull', 'api:production', '--registry', registry, '--json'], {}, other);
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ digest: a, referrers: 1 });
    expect((await devkit(['artifact', 'verify', `api@${a}`], {}, other)).exitCode).toBe(0);

    // An environment in another namespace of the same registry: blobs are mounted, not re-sent.
    const onpremPlan = JSON.parse(
      (await devkit(['promote', `api@${b}`, '--to', 'onprem', '--dry-run', '--json'])).stdout,
    ) as { plan: { copy: { repository: string; blobs: unknown[]; mountFrom: string | null } } };
    expect(onpremPlan.plan.copy).toMatchObject({ repository: 'onprem/api', mountFrom: 'api' });
    expect(onpremPlan.plan.copy.blobs).toHaveLength(5);
    expect(
      (
        await fetch(`${registry}/v2/onprem/api/manifests/onprem`, {
          method: 'HEAD',
          headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
        })
      ).status,
    ).toBe(404);
    const onprem = await devkit(['promote', `api@${b}`, '--to', 'onprem', '--json']);
    expect(onprem.exitCode, onprem.stderr).toBe(0);
    expect(JSON.parse(onprem.stdout).pushed).toMatchObject({ mounted: 5, copied: 0 });
    const onpremTag = await fetch(`${registry}/v2/onprem/api/manifests/onprem`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(onpremTag.headers.get('docker-content-digest')).toBe(b);
  });

  it('keeps every entry and the tag in agreement under 8 processes × 20 promotes, serialised by the Redis lock', async () => {
    await raceAndExpectAgreement('staging');
  }, 900_000);

  it('lets several processes push the same artifact at once: each succeeds, and what it pushed pulls and verifies', async () => {
    const target = `${registry}/together`;
    const pushes = await Promise.all(
      Array.from({ length: 6 }, () =>
        devkit(['artifact', 'push', `api@${digests[1]}`, '--registry', target, '--json']),
      ),
    );
    for (const p of pushes) expect(p.exitCode, p.stderr).toBe(0);
    const other = tempDir();
    gitInit(other);
    expect((await devkit(['artifact', 'pull', `api@${digests[1]}`, '--registry', target], {}, other)).exitCode).toBe(0);
    expect((await devkit(['artifact', 'verify', `api@${digests[1]}`], {}, other)).exitCode).toBe(0);
  }, 120_000);

  it('keeps every entry and the tag in agreement under 8 processes × 20 promotes, serialised by the PostgreSQL lock', async () => {
    await raceAndExpectAgreement('canary');
  }, 900_000);

  it('PostgreSQL lock: a promote waits for the holder, a killed holder frees it at once, a timeout names the holder', async () => {
    requirePrerequisite(
      'psql',
      hasBinary('psql'),
      'install postgresql-client (tools/system/20-services.sh installs PostgreSQL)',
    );
    const key = `devkit:promote:${new URL(registry).host}/api:canary`;
    // Another promoter, on its own connection, holds the canary lock until it is killed.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      const { withPostgresLock } = await import(${JSON.stringify(join(REPO_ROOT, 'packages/environments/dist/index.js'))});
      await withPostgresLock(${JSON.stringify(postgres)}, ${JSON.stringify(key)}, () => { process.stdout.write('held\\n'); return new Promise(() => {}); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (c: Buffer) => c.toString().includes('held') && resolve());
        holder.on('exit', (code) => reject(new Error(`the holder exited ${code}`)));
      });
      const timedOut = await withPostgresLock(postgres, key, () => Promise.resolve('got it'), { timeoutMs: 300 }).catch(
        (e: DevkitError) => e,
      );
      expect(timedOut).toBeInstanceOf(DevkitError);
      expect((timedOut as DevkitError).code).toBe('E_STORE_LOCKED');
      expect((timedOut as DevkitError).message).toContain(`(devkit promote (pid ${holder.pid}))`);
      // The CLI's promote to canary waits behind the holder...
      const current = (
        JSON.parse((await devkit(['history', 'api', '--env', 'canary', '--json'])).stdout) as HistoryJson
      ).current;
      const next = digests.find((d) => d !== current)!;
      let settled = false;
      const promote = devkit(['promote', `api@${next}`, '--to', 'canary', '--json']).finally(() => (settled = true));
      // Waiting, as PostgreSQL sees it: a devkit promote's session asks for the advisory lock the holder has.
      await waitFor(() => postgresLockWaiters() > 0, {
        what: 'the CLI promote to queue for the canary lock in pg_locks',
        failIf: () => settled && 'the promote ended instead',
      });
      expect(settled).toBe(false);
      // ...and goes through once the holder dies without releasing anything itself.
      holder.kill('SIGKILL');
      const done = await promote;
      expect(done.exitCode, done.stderr).toBe(0);
      expect(await tagDigest('canary')).toBe(next);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 120_000);

  it('refuses an environment naming two locks (exit 2), and a lock server (PostgreSQL or Redis) that does not answer is exit 3', async () => {
    const both = await devkit(['promote', `api@${digests[0]}`, '--to', 'both']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('E_LOCK_AMBIGUOUS: environments.both.lock names both a PostgreSQL and a Redis lock');
    const port = await freePort();
    const down = await withPostgresLock(`postgres://devkit@127.0.0.1:${port}/locks`, 'k', () =>
      Promise.resolve(1),
    ).catch((e: DevkitError) => e);
    expect(down).toBeInstanceOf(DevkitError);
    expect((down as DevkitError).exitCode).toBe(3);
    expect((down as DevkitError).message).toContain(
      `the promotion lock server 127.0.0.1:${port} does not answer (ECONNREFUSED)`,
    );
    const redisDown = await withRedisLock(`redis://127.0.0.1:${port}`, 'k', () => Promise.resolve(1)).catch(
      (e: DevkitError) => e,
    );
    expect(redisDown).toBeInstanceOf(DevkitError);
    expect((redisDown as DevkitError).exitCode).toBe(3);
    expect((redisDown as DevkitError).message).toContain(
      `the promotion lock server 127.0.0.1:${port} does not answer (ECONNREFUSED)`,
    );
  });
});

describe('registry faults', () => {
  it('exits 3 naming the registry when it does not answer', async () => {
    const port = await freePort();
    const r = await devkit(['artifact', 'push', `api@${digests[0]}`, '--registry', `http://127.0.0.1:${port}`]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`E_REGISTRY_UNREACHABLE: the registry http://127.0.0.1:${port} does not answer`);
  });

  it('detects a corrupt blob served by the registry and does not keep it', async () => {
    const [a] = digests as [string];
    const built = JSON.parse((await devkit(['artifact', 'inspect', `api@${a}`, '--json'])).stdout) as {
      manifest: { layers: Array<{ digest: string }> };
    };
    const layer = built.manifest.layers[0]!.digest.slice(7);
    const data = execFileSync(
      'find',
      [join(repo, '.devkit'), '-path', `*blobs/sha256/${layer.slice(0, 2)}/${layer}/data`],
      { encoding: 'utf8' },
    ).trim();
    expect(data).not.toBe('');
    const original = readFileSync(data);
    const damaged = Buffer.from(original);
    damaged[10] = damaged[10]! ^ 0xff;
    writeFileSync(data, damaged);
    try {
      const other = tempDir();
      gitInit(other);
      const r = await devkit(['artifact', 'pull', `api@${a}`, '--registry', registry], {}, other);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(`E_BLOB_CORRUPT: the registry ${registry} served api@sha256:${layer}`);
      expect(existsSync(join(other, '.devkit/store/blobs/sha256', layer))).toBe(false);
    } finally {
      writeFileSync(data, original);
    }
  });

  it('completes on a re-run a push interrupted by a registry killed mid-upload, re-sending only what was not finished, and publishes nothing half-way', async () => {
    mkdirSync(join(repo, 'apps/api/assets'), { recursive: true });
    execFileSync('sh', ['-c', `head -c 167772160 /dev/urandom > "${join(repo, 'apps/api/assets/big.bin')}"`]);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'big asset');
    const big = await buildApi();
    const uploads = join(repo, '.devkit/store/uploads');
    const child = spawn(process.execPath, [DEVKIT_BIN, 'artifact', 'push', `api@${big}`, '--registry', registry], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    const stateFiles = () =>
      existsSync(uploads) ? execFileSync('find', [uploads, '-name', '*.json'], { encoding: 'utf8' }).trim() : '';
    const pushing = {
      timeoutMs: 120_000,
      failIf: () => child.exitCode !== null && `the push exited ${child.exitCode}: ${stderr}`,
    };
    // The build record goes first; the big layer's resumption record is written as its upload opens.
    const record = await waitFor(() => stateFiles().split('\n')[0], {
      what: "the big layer's resumption record in .devkit/store/uploads",
      ...pushing,
    });
    const session = /\/blobs\/uploads\/([^/?]+)/.exec(
      (JSON.parse(readFileSync(record, 'utf8')) as { location: string }).location,
    )?.[1];
    expect(session, 'the upload session in the resumption record').toBeTruthy();
    // Mid-upload: the registry's session holds some of the layer's bytes, not all of them yet.
    const received = () =>
      execFileSync('find', [join(repo, '.devkit'), '-path', `*/_uploads/${session}/data`], { encoding: 'utf8' }).trim();
    await waitFor(() => received() !== '' && statSync(received()).size >= 1 << 20, {
      what: `the registry's upload session ${session} to hold 1 MiB`,
      ...pushing,
    });
    const status = JSON.parse((await devkit(['status', '--json'])).stdout) as {
      services: Array<{ name: string; pid: number | null }>;
    };
    const pid = status.services.find((s) => s.name.startsWith('registry'))!.pid!;
    process.kill(pid, 'SIGKILL');
    expect(await exited).toBe(3);
    expect(stderr).toContain('E_REGISTRY_UNREACHABLE');
    expect(stateFiles()).not.toBe('');
    const up = await devkit(['up', 'registry']);
    expect(up.exitCode, up.stderr).toBe(0);
    // Nothing was published: the manifest is not there.
    expect(
      (
        await fetch(`${registry}/v2/api/manifests/${big}`, {
          method: 'HEAD',
          headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
        })
      ).status,
    ).toBe(404);
    const rerun = await devkit(['artifact', 'push', `api@${big}`, '--registry', registry, '--json']);
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    // The build record went up before the kill: it is not sent again.
    expect(JSON.parse(rerun.stdout)).toMatchObject({ skipped: expect.any(Number) });
    expect((JSON.parse(rerun.stdout) as { skipped: number }).skipped).toBeGreaterThanOrEqual(1);
    expect(stateFiles()).toBe('');
    const other = tempDir();
    gitInit(other);
    expect((await devkit(['artifact', 'pull', `api@${big}`, '--registry', registry], {}, other)).exitCode).toBe(0);
    expect((await devkit(['artifact', 'verify', `api@${big}`], {}, other)).exitCode).toBe(0);
  }, 600_000);

  it('gets a Bearer token from the realm the registry names (token auth), with the credentials given', async () => {
    requirePrerequisite('openssl', hasBinary('openssl'), 'install openssl');
    const dir = tempDir();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=devkit-test-token',
      ],
      { stdio: 'pipe' },
    );
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const cert = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
    const b64u = (b: string | Buffer) => Buffer.from(b).toString('base64url');
    const issued: string[] = [];
    // A token service as distribution expects: Basic credentials in, a JWT with the granted access out.
    const tokens = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.headers.authorization !== `Basic ${Buffer.from('deployer:token-pass').toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      const scopes = url.searchParams.getAll('scope').join(' ');
      const access = scopes
        .split(' ')
        .filter(Boolean)
        .map((scope) => {
          const [type, name, actions] = scope.split(':');
          return { type, name, actions: (actions ?? '').split(',') };
        });
      const now = Math.floor(Date.now() / 1000);
      const body = `${b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [cert.raw.toString('base64')] }))}.${b64u(JSON.stringify({ iss: 'devkit-test', sub: 'deployer', aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }))}`;
      issued.push(scopes);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: `${body}.${b64u(createSign('RSA-SHA256').update(body).sign(key))}` }));
    });
    await new Promise<void>((r) => tokens.listen(0, '127.0.0.1', r));
    const tokenPort = (tokens.address() as { port: number }).port;
    const port = await freePort();
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: error',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${dir}/data`,
        'http:',
        `  addr: 127.0.0.1:${port}`,
        'auth:',
        '  token:',
        `    realm: http://127.0.0.1:${tokenPort}/token`,
        '    service: devkit-test-registry',
        '    issuer: devkit-test',
        `    rootcertbundle: ${dir}/cert.pem`,
        '',
      ].join('\n'),
    );
    const server = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        () =>
          fetch(`${url}/v2/`).then(
            (r) => r.status === 401,
            () => false,
          ),
        {
          what: `docker-registry to answer ${url}/v2/ asking for a token`,
          intervalMs: 100,
          failIf: () => server.exitCode !== null && `docker-registry exited ${server.exitCode}`,
        },
      );
      const pushed = await devkit(['artifact', 'push', `api@${digests[0]}`, '--registry', url, '--json'], {
        DEVKIT_REGISTRY_USERNAME: 'deployer',
        DEVKIT_REGISTRY_PASSWORD: 'token-pass',
      });
      expect(pushed.exitCode, pushed.stderr).toBe(0);
      expect(issued).toContain('repository:api:pull,push');
      const refused = await devkit(['artifact', 'push', `api@${digests[0]}`, '--registry', url], {
        DEVKIT_REGISTRY_USERNAME: 'deployer',
        DEVKIT_REGISTRY_PASSWORD: 'not-it',
      });
      expect(refused.exitCode).toBe(3);
      expect(refused.stderr).toContain(`E_REGISTRY_AUTH: the registry ${url} refused the credentials`);
      expect(refused.stderr).not.toContain('not-it');
    } finally {
      server.kill('SIGKILL');
      tokens.close();
    }
  });

  it('exits 3 naming the registry on wrong credentials, never printing the secret; right ones work (env and Docker config)', async () => {
    const dir = tempDir();
    const port = await freePort();
    const hash = execFileSync(
      'python3',
      ['-c', "import crypt; print(crypt.crypt('s3cret-pass', crypt.mksalt(crypt.METHOD_BLOWFISH)))"],
      { encoding: 'utf8' },
    ).trim();
    writeFileSync(join(dir, 'htpasswd'), `deployer:${hash}\n`);
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: error',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${dir}/data`,
        'http:',
        `  addr: 127.0.0.1:${port}`,
        'auth:',
        '  htpasswd:',
        '    realm: devkit-test',
        `    path: ${dir}/htpasswd`,
        '',
      ].join('\n'),
    );
    const server = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        () =>
          fetch(`${url}/v2/`).then(
            (r) => r.status === 401,
            () => false,
          ),
        {
          what: `docker-registry to answer ${url}/v2/ asking for credentials`,
          intervalMs: 100,
          failIf: () => server.exitCode !== null && `docker-registry exited ${server.exitCode}`,
        },
      );
      const wrong = await devkit(['artifact', 'push', `api@${digests[0]}`, '--registry', url], {
        DEVKIT_REGISTRY_USERNAME: 'deployer',
        DEVKIT_REGISTRY_PASSWORD: 'wrong-secret-value',
      });
      expect(wrong.exitCode).toBe(3);
      expect(wrong.stderr).toContain(`E_REGISTRY_AUTH: the registry ${url} refused the credentials`);
      expect(wrong.stderr + wrong.stdout).not.toContain('wrong-secret-value');
      const anonymous = await devkit(['artifact', 'push', `api@${digests[0]}`, '--registry', url], { HOME: dir });
      expect(anonymous.exitCode).toBe(3);
      expect(anonymous.stderr).toContain('refused anonymous access');
      const right = await devkit(['artifact', 'push', `api@${digests[0]}`, '--registry', url], {
        DEVKIT_REGISTRY_USERNAME: 'deployer',
        DEVKIT_REGISTRY_PASSWORD: 's3cret-pass',
      });
      expect(right.exitCode, right.stderr).toBe(0);
      expect(right.stderr + right.stdout).not.toContain('s3cret-pass');
      const dockerConfig = join(dir, 'docker');
      mkdirSync(dockerConfig);
      writeFileSync(
        join(dockerConfig, 'config.json'),
        JSON.stringify({
          auths: { [`127.0.0.1:${port}`]: { auth: Buffer.from('deployer:s3cret-pass').toString('base64') } },
        }),
      );
      const viaConfig = await devkit(['artifact', 'push', `api@${digests[1]}`, '--registry', url, '--json'], {
        DOCKER_CONFIG: dockerConfig,
      });
      expect(viaConfig.exitCode, viaConfig.stderr).toBe(0);
      expect(readdirSync(join(dir, 'data'))).not.toEqual([]);
    } finally {
      server.kill('SIGKILL');
    }
  });
});
