import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, runDevkit } from '@devkit/test-utils';
import { cloneAndInstall, fixtureRepo, racePromotes } from './helpers.js';

interface BuildJson {
  artifacts: Array<{ name: string; digest: string }>;
}
interface HistoryJson {
  current: string | null;
  entries: Array<{
    sequence: number;
    action: string;
    from: string | null;
    to: string;
    reason: string | null;
    forced: boolean;
    who: { git: string | null; user: string | null };
  }>;
  problems: string[];
}

let repo: string;
const digests: string[] = [];

function setConfig(extra: Record<string, unknown>) {
  const file = join(repo, 'devkit.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify({ ...config, ...extra }, null, 2)}\n`);
  git(repo, 'commit', '-q', '-am', 'config');
}

async function buildApi(env: Record<string, string> = {}): Promise<string> {
  const result = await runDevkit(['build', '--json'], { cwd: repo, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as BuildJson).artifacts.find((a) => a.name === 'api')!.digest;
}

async function history(env: string): Promise<HistoryJson> {
  const result = await runDevkit(['history', 'api', '--env', env, '--json'], { cwd: repo });
  return JSON.parse(result.stdout) as HistoryJson;
}

beforeAll(async () => {
  repo = await cloneAndInstall(fixtureRepo(), 'promote');
  git(repo, 'config', 'user.name', 'Release Manager');
  git(repo, 'config', 'user.email', 'rm@acme.invalid');
  // Three api builds: from a trusted builder on main, then two more commits.
  digests.push(await buildApi({ DEVKIT_BUILDER_ID: 'https://ci.acme.invalid/builder' }));
  for (const n of [1, 2]) {
    writeFileSync(
      join(repo, 'apps/api/src/server.ts'),
      `${readFileSync(join(repo, 'apps/api/src/server.ts'), 'utf8')}// change ${n}\n`,
    );
    git(repo, 'commit', '-q', '-am', `change ${n}`);
    digests.push(await buildApi({ DEVKIT_BUILDER_ID: 'https://ci.acme.invalid/builder' }));
  }
}, 300_000);
afterAll(cleanupTempDirs);

describe('promote, rollback, history on the local store', () => {
  it('enforces the from gate, records who/why, is a no-op when nothing changes, and rolls back', async () => {
    const [a, b] = digests as [string, string];
    const gated = await runDevkit(['promote', `api@${a}`, '--to', 'production'], { cwd: repo });
    expect(gated.exitCode).toBe(1);
    expect(gated.stderr).toContain(
      `E_PROMOTION_GATE: api@${a} has never been in staging, and environments.production.from = "staging"`,
    );
    expect((await runDevkit(['promote', `api@${a}`, '--to', 'production', '--force'], { cwd: repo })).exitCode).toBe(2);

    expect((await runDevkit(['promote', `api@${a}`, '--to', 'staging'], { cwd: repo })).exitCode).toBe(0);
    const again = await runDevkit(['promote', `api@${a}`, '--to', 'staging'], { cwd: repo });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('is already');
    expect((await runDevkit(['promote', `api@${a}`, '--to', 'production'], { cwd: repo })).exitCode).toBe(0);
    const forced = await runDevkit(
      ['promote', `api@${b}`, '--to', 'production', '--force', '--reason', 'hotfix for INC-7'],
      { cwd: repo },
    );
    expect(forced.exitCode, forced.stderr).toBe(0);
    const back = await runDevkit(['rollback', 'api', '--env', 'production', '--json'], { cwd: repo });
    expect(back.exitCode).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ from: b, to: a, noop: false });
    expect((await runDevkit(['rollback', 'api', '--env', 'production', '--to', b], { cwd: repo })).exitCode).toBe(0);

    const h = await history('production');
    expect(h.problems).toEqual([]);
    expect(h.current).toBe(b);
    expect(h.entries.map((e) => [e.sequence, e.action, e.from, e.to])).toEqual([
      [4, 'rollback', a, b],
      [3, 'rollback', b, a],
      [2, 'promote', a, b],
      [1, 'promote', null, a],
    ]);
    expect(h.entries[2]).toMatchObject({
      forced: true,
      reason: 'hotfix for INC-7',
      who: { git: 'Release Manager <rm@acme.invalid>' },
    });
    const human = await runDevkit(['history', 'api', '--env', 'production'], { cwd: repo });
    expect(human.stdout.split('\n')[0]).toMatch(/^ {3}4 \S+Z {2}rollback/);
  });

  it('refuses what does not exist: a digest not in the store, an unknown name or environment, a digest outside the history', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const notThere = await runDevkit(['promote', `api@${missing}`, '--to', 'staging'], { cwd: repo });
    expect(notThere.exitCode).toBe(1);
    expect(notThere.stderr).toContain(`E_ARTIFACT_NOT_FOUND: api@${missing} is not in the local store`);
    const badName = await runDevkit(['promote', `nope@${digests[0]}`, '--to', 'staging'], { cwd: repo });
    expect(badName.exitCode).toBe(2);
    expect(badName.stderr).toContain('E_UNKNOWN_ARTIFACT: no artifact is named "nope"');
    const badEnv = await runDevkit(['promote', `api@${digests[0]}`, '--to', 'qa'], { cwd: repo });
    expect(badEnv.exitCode).toBe(2);
    expect(badEnv.stderr).toContain('E_UNKNOWN_ENVIRONMENT: there is no environment "qa"');
    expect(badEnv.stderr).toContain('use one of: staging, production');
    const outside = await runDevkit(['rollback', 'api', '--env', 'staging', '--to', digests[2]!], { cwd: repo });
    expect(outside.exitCode).toBe(1);
    expect(outside.stderr).toContain('E_NOT_IN_HISTORY');
  });

  it('keeps every history entry and the tag in agreement under 8 processes × 20 promotes', async () => {
    const before = (await history('staging')).entries.length;
    const moved = await racePromotes({ cwd: repo, name: 'api', env: 'staging', digests, workers: 8 });
    const h = await history('staging');
    expect(moved).toBeGreaterThan(40);
    expect(h.entries.length).toBe(before + moved);
    expect(h.problems).toEqual([]);
    expect(h.entries.map((e) => e.sequence)).toEqual(
      Array.from({ length: h.entries.length }, (_, i) => h.entries.length - i),
    );
    for (let i = 0; i + 1 < h.entries.length; i++) expect(h.entries[i]!.from).toBe(h.entries[i + 1]!.to);
    expect(h.current).toBe(h.entries[0]!.to);
  }, 600_000);

  it('gc --prune never removes an artifact an environment history points to', async () => {
    const gc = await runDevkit(['artifact', 'gc', '--prune', '--keep-builds', '1', '--json'], { cwd: repo });
    expect(gc.exitCode).toBe(0);
    for (const d of digests)
      expect((await runDevkit(['artifact', 'verify', `api@${d}`], { cwd: repo })).exitCode).toBe(0);
  });
});

describe('trusted provenance gate', () => {
  it('lets only artifacts from the trusted builder on a protected ref into production, --force or not', async () => {
    setConfig({
      environments: {
        staging: {},
        production: {
          from: 'staging',
          require: { builder: 'https://ci.acme.invalid/builder', refs: ['refs/heads/main'] },
        },
      },
    });
    git(repo, 'checkout', '-q', '-b', 'feature');
    writeFileSync(
      join(repo, 'apps/api/src/server.ts'),
      `${readFileSync(join(repo, 'apps/api/src/server.ts'), 'utf8')}// laptop change\n`,
    );
    git(repo, 'commit', '-q', '-am', 'laptop change');
    const laptop = await buildApi();
    expect((await runDevkit(['promote', `api@${laptop}`, '--to', 'staging'], { cwd: repo })).exitCode).toBe(0);
    const refused = await runDevkit(
      ['promote', `api@${laptop}`, '--to', 'production', '--force', '--reason', 'please'],
      { cwd: repo },
    );
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      /E_PROVENANCE_GATE: .*built by "local:[^"]+", not the trusted builder "https:\/\/ci\.acme\.invalid\/builder"; it was built from refs\/heads\/feature, not one of refs\/heads\/main/,
    );
    const trusted = digests[0]!;
    expect((await runDevkit(['promote', `api@${trusted}`, '--to', 'production'], { cwd: repo })).exitCode).toBe(0);
    git(repo, 'checkout', '-q', 'main');
  });
});

describe('webhooks', () => {
  let server: Server;
  let port = 0;
  const received: Array<{ body: string; signature: string | undefined; valid: boolean }> = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const signature = req.headers['x-devkit-signature'] as string | undefined;
        const expected = `sha256=${createHmac('sha256', 'hook-secret').update(body).digest('hex')}`;
        received.push({ body, signature, valid: signature === expected });
        res.writeHead(signature === expected ? 204 : 401).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('POSTs signed CloudEvents on promote, and a dead webhook neither fails nor stalls the promotion', async () => {
    // A second webhook points at a server that accepts and never answers.
    let silentRequests = 0;
    const silent = createServer(() => silentRequests++);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    setConfig({
      notify: {
        webhooks: [
          { url: `http://127.0.0.1:${port}/hook`, secretEnv: 'ACME_HOOK_SECRET' },
          { url: `http://127.0.0.1:${silentPort}/dead`, events: ['promote'] },
        ],
      },
    });
    const target = (await history('staging')).current === digests[0] ? digests[1]! : digests[0]!;
    const result = await runDevkit(['promote', `api@${target}`, '--to', 'staging', '--json'], {
      cwd: repo,
      env: { ACME_HOOK_SECRET: 'hook-secret', DEVKIT_WEBHOOK_BUDGET_MS: '1500' },
    });
    silent.closeAllConnections();
    silent.close();
    expect(result.exitCode).toBe(0);
    const out = JSON.parse(result.stdout) as {
      webhooks: Array<{ url: string; ok: boolean; attempts: number; error: string | null }>;
    };
    // The dead one got the event and was given up at the budget: it held the promotion no longer than that.
    expect(silentRequests).toBe(1);
    expect(out.webhooks).toEqual([
      expect.objectContaining({ url: `http://127.0.0.1:${port}/hook`, ok: true }),
      expect.objectContaining({
        url: `http://127.0.0.1:${silentPort}/dead`,
        ok: false,
        attempts: 1,
        error: 'no answer within 1500 ms',
      }),
    ]);
    expect(received).toHaveLength(1);
    expect(received[0]!.valid).toBe(true);
    const event = JSON.parse(received[0]!.body) as Record<string, unknown> & { data: Record<string, unknown> };
    expect(event).toMatchObject({ specversion: '1.0', type: 'dev.devkit.promote.success', subject: 'api/staging' });
    expect(event.data).toMatchObject({
      name: 'api',
      environment: 'staging',
      to: target,
      outcome: 'success',
      actor: 'Release Manager <rm@acme.invalid>',
    });
    expect(String(event.text)).toContain('api promoted to staging');
    expect(event.data.commits).toMatchObject({ to: expect.stringMatching(/^[0-9a-f]{40}$/) });

    // A failed promotion is announced too, and the secret never shows.
    const failed = await runDevkit(['promote', `api@sha256:${'1'.repeat(64)}`, '--to', 'staging'], {
      cwd: repo,
      env: { ACME_HOOK_SECRET: 'hook-secret', DEVKIT_WEBHOOK_BUDGET_MS: '500' },
    });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).not.toContain('hook-secret');
    expect(JSON.parse(received[1]!.body)).toMatchObject({ type: 'dev.devkit.promote.failure' });
    expect(received[1]!.valid).toBe(true);

    // A build that makes a new artifact is announced; a reused one is not.
    writeFileSync(
      join(repo, 'apps/api/src/server.ts'),
      `${readFileSync(join(repo, 'apps/api/src/server.ts'), 'utf8')}// hooked\n`,
    );
    git(repo, 'commit', '-q', '-am', 'hooked');
    const built = await runDevkit(['build', '--json'], {
      cwd: repo,
      env: { ACME_HOOK_SECRET: 'hook-secret', DEVKIT_WEBHOOK_BUDGET_MS: '500' },
    });
    expect(built.exitCode, built.stderr).toBe(0);
    const buildEvents = received
      .slice(2)
      .map((r) => JSON.parse(r.body) as { type: string; data: { name: string; to: string } });
    expect(buildEvents).toEqual([
      expect.objectContaining({ type: 'dev.devkit.build.success', data: expect.objectContaining({ name: 'api' }) }),
    ]);
  });
});
