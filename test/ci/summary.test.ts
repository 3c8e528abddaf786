import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, hasBinary, requirePrerequisite, runDevkit, tempDir } from '@devkit/test-utils';
import { cloneAndInstall, fixtureRepo } from '../artifact/helpers.js';

interface BuildJson {
  artifacts: Array<{ name: string; digest: string; size: number }>;
}

let repo: string;
let summary: string;
let api: string;

/** A GitHub Actions step's variables, with a step summary file of this test run. */
function actions(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: repo,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_ACTOR: 'octo',
    GITHUB_REPOSITORY: 'acme/monorepo',
    GITHUB_RUN_ID: '42',
    ...extra,
  };
}

function devkit(args: string[], env: Record<string, string> = {}) {
  return runDevkit(args, { cwd: repo, env, timeoutMs: 240_000 });
}

/** The sections appended since `before` characters of the summary file. */
function appended(before: number): string {
  return readFileSync(summary, 'utf8').slice(before);
}

function summaryLength(): number {
  try {
    return readFileSync(summary, 'utf8').length;
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  requirePrerequisite(
    'docker-registry',
    hasBinary('docker-registry'),
    "install Debian's docker-registry (tools/system/20-services.sh does)",
  );
  repo = await cloneAndInstall(fixtureRepo(), 'ci');
  summary = join(tempDir('devkit-ci-step-'), 'summary.md');
  // A few MiB the api ships, so that its layer is uploaded in pieces and packing and pushing take a moment.
  mkdirSync(join(repo, 'apps/api/assets'), { recursive: true });
  execFileSync('sh', ['-c', `head -c 6291456 /dev/urandom > "${join(repo, 'apps/api/assets/blob.bin')}"`]);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'asset');
}, 300_000);

afterAll(async () => {
  if (repo) await devkit(['down']);
  cleanupTempDirs();
});

describe('devkit build, promote and rollback in GitHub Actions', () => {
  it('build appends a summary with each artifact, its digest, size and reuse, and progress lines without a terminal', async () => {
    const before = summaryLength();
    const build = await devkit(['build'], actions({ DEVKIT_PROGRESS_INTERVAL_MS: '50' }));
    expect(build.exitCode, build.stderr).toBe(0);
    const json = await devkit(['build', '--json'], actions());
    expect(json.exitCode, json.stderr).toBe(0);
    const artifacts = (JSON.parse(json.stdout) as BuildJson).artifacts;
    api = artifacts.find((a) => a.name === 'api')!.digest;

    const text = appended(before);
    const [first, second] = text.split('### ✅ devkit build').slice(1) as [string, string];
    expect(first).toMatch(
      new RegExp(`\\| api \\| \`${api}\` \\| [\\d.]+ MiB \\| app [\\d.]+ MiB, deps [^|]+ \\| built \\|`),
    );
    expect(first).toContain(`| web | \`${artifacts.find((a) => a.name === 'web')!.digest}\``);
    expect(first).toMatch(/^\n\ncommit `[0-9a-f]{40}`/);
    // The second build reuses both: inputs unchanged.
    expect(second).toMatch(
      new RegExp(`\\| api \\| \`${api}\` \\| [^|]+ \\| [^|]+ \\| reused \\(inputs unchanged\\) \\|`),
    );

    // Packing the api's app layer: a start line, an end line with bytes and time, on stderr.
    const packing = build.stderr.split('\n').filter((l) => /^[…✓✗] packing api app/.test(l));
    expect(packing[0]).toMatch(/^… packing api app \([\d.]+ MiB\)$/);
    expect(packing.at(-1)).toMatch(/^✓ packing api app: [\d.]+ MiB in \d+(\.\d+)? m?s$/);
    expect(build.stdout).not.toContain('packing api app');
  });

  it('a failing build still appends what it knew: the plan and the error', async () => {
    writeFileSync(join(repo, 'apps/api/src/broken.ts'), 'export const x: number = "not a number";\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'broken');
    const before = summaryLength();
    const failed = await devkit(['build'], actions());
    expect(failed.exitCode).toBe(1);
    const text = appended(before);
    expect(text).toContain('### ❌ devkit build');
    expect(text).toMatch(/\| api \| pack: [^|]+ \|/);
    expect(text).toContain('**Failed** (exit 1):');
    expect(text).toContain('E_BUILD_FAILED');
    expect(failed.stdout).toMatch(/^::error title=E_BUILD_FAILED::/m);
    git(repo, 'rm', '-q', 'apps/api/src/broken.ts');
    git(repo, 'commit', '-q', '-m', 'fixed');
  });

  it('promote and rollback append from → to, the environment, the gates and their verdicts, the actor', async () => {
    let before = summaryLength();
    expect((await devkit(['promote', `api@${api}`, '--to', 'staging'], actions())).exitCode).toBe(0);
    let text = appended(before);
    expect(text).toContain('### ✅ devkit promote api in staging');
    expect(text).toContain('| from | (nothing yet) |');
    expect(text).toContain(`| to | \`${api}\` |`);
    expect(text).toContain('| pointer | moved |');
    expect(text).toContain('| actor | github:octo@acme/monorepo#42 |');
    expect(text).toMatch(/\| from \| not-configured \|/);

    // The gate refuses a digest that was never in staging: the verdict is in the summary.
    writeFileSync(
      join(repo, 'apps/api/src/server.ts'),
      `${readFileSync(join(repo, 'apps/api/src/server.ts'), 'utf8')}// v2\n`,
    );
    git(repo, 'commit', '-q', '-am', 'v2');
    const v2 = await devkit(['build', '--json']);
    const next = (JSON.parse(v2.stdout) as BuildJson).artifacts.find((a) => a.name === 'api')!.digest;
    before = summaryLength();
    const gated = await devkit(['promote', `api@${next}`, '--to', 'production'], actions());
    expect(gated.exitCode).toBe(1);
    text = appended(before);
    expect(text).toContain('### ❌ devkit promote api in production');
    expect(text).toContain('| pointer | refused by a gate |');
    expect(text).toMatch(/\| from \| failed \| [^|]*staging[^|]* \|/);
    expect(text).toContain('E_PROMOTION_GATE');

    expect((await devkit(['promote', `api@${next}`, '--to', 'staging'], actions())).exitCode).toBe(0);
    before = summaryLength();
    const rolled = await devkit(['rollback', 'api', '--env', 'staging', '--reason', 'bad release'], actions());
    expect(rolled.exitCode, rolled.stderr).toBe(0);
    text = appended(before);
    expect(text).toContain('### ✅ devkit rollback api in staging');
    expect(text).toContain(`| from | \`${next}\` |`);
    expect(text).toContain(`| to | \`${api}\` |`);
    expect(text).toContain('| reason | bad release |');
    expect(text).toContain('| actor | github:octo@acme/monorepo#42 |');

    // Without GITHUB_ACTIONS nothing is appended.
    before = summaryLength();
    expect(
      (await devkit(['promote', `api@${next}`, '--to', 'staging'], { GITHUB_STEP_SUMMARY: summary })).exitCode,
    ).toBe(0);
    expect(summaryLength()).toBe(before);
  });

  it('a push to a real registry shows throttled progress lines with bytes on stderr', async () => {
    const file = join(repo, 'devkit.json');
    writeFileSync(
      file,
      `${JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), services: { registry: { version: '2' } } }, null, 2)}\n`,
    );
    git(repo, 'commit', '-q', '-am', 'registry');
    const up = await devkit(['up', 'registry']);
    expect(up.exitCode, up.stderr).toBe(0);
    const registry = (JSON.parse((await devkit(['env', '--format', 'json'])).stdout) as Record<string, string>)
      .REGISTRY_URL!;

    const push = await devkit(['artifact', 'push', `api@${api}`, '--registry', registry], {
      DEVKIT_PROGRESS_INTERVAL_MS: '50',
    });
    expect(push.exitCode, push.stderr).toBe(0);
    const title = `pushing api@${api.slice(7, 19)} to ${registry}/api`;
    const lines = push.stderr.split('\n').filter((l) => l.includes(title));
    expect(lines[0]).toBe(`… ${title}`);
    const end = lines.at(-1)!;
    const sent = /^✓ .*: ([\d.]+) MiB in \d+(\.\d+)? m?s$/.exec(end);
    expect(sent, push.stderr).not.toBeNull();
    expect(Number(sent![1])).toBeGreaterThanOrEqual(6);
    // In between: the elapsed time, and the bytes once they move (before the first byte, the
    // registry is asked which blobs it has).
    for (const line of lines.slice(1, -1))
      expect(line).toMatch(/^… .*: (running|[\d.]+ (B|KiB|MiB)), \d+(\.\d+)? m?s$/);
    // At most one line per interval (50 ms) for the phase.
    const elapsed = lines.slice(1, -1).map((l) => {
      const [, n, unit] = /, ([\d.]+) (ms|s)$/.exec(l)!;
      return Number(n) * (unit === 's' ? 1000 : 1);
    });
    for (let i = 1; i < elapsed.length; i++) expect(elapsed[i]! - elapsed[i - 1]!).toBeGreaterThanOrEqual(49);

    // The same interval without pushing anything: no line at all for what was already there.
    const again = await devkit(['artifact', 'push', `api@${api}`, '--registry', registry], {
      DEVKIT_PROGRESS_INTERVAL_MS: '50',
    });
    expect(
      again.stderr
        .split('\n')
        .filter((l) => l.includes(title))
        .at(-1),
    ).toMatch(/^✓ .*: \d+ m?s$/);
  });
});
