import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, copyFixture, runDevkit } from '@devkit/test-utils';
import { docker, leftoverContainers, requireDocker } from './helpers.js';

// Several native packages in one run: one builder container per target, whatever the number of
// packages, and each package judged on its own. The gcc builder (bullseye) keeps the compiles to
// a second; the targets name it, so this file does not depend on the default builder.

interface Build {
  package: string;
  target: string;
  cached: boolean;
  ok: boolean;
  outputs: Array<{ path: string }>;
  timings: Record<string, number>;
}

const TARGETS = ['linux-arm64-gnu', 'linux-x64-gnu'];
let repo: string;

/** A small C library package whose build fails for the targets listed in FAIL_FOR (a file in it). */
function addPackage(dir: string, name: string): void {
  const pkg = join(dir, 'packages', name);
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), `${JSON.stringify({ name: `@acme/${name}`, version: '1.0.0' })}\n`);
  writeFileSync(join(pkg, `${name}.c`), `const char *${name}_seen = SEEN;\nint ${name}_answer(void) { return 42; }\n`);
  writeFileSync(join(pkg, 'FAIL_FOR'), '\n');
  // Everything the build sees besides its own files would change its outputs: the library
  // carries the listing of its source folder.
  writeFileSync(
    join(pkg, 'build.sh'),
    [
      'set -eu',
      'if grep -qx "$DEVKIT_TARGET" FAIL_FOR; then echo "build of $DEVKIT_TARGET broken on purpose" >&2; exit 9; fi',
      'case "$DEVKIT_ARCH" in x64) cc=gcc ;; arm64) cc=aarch64-linux-gnu-gcc ;; esac',
      "mkdir -p out && seen=\"seen: $(ls -A | tr '\\n' ' ')\"",
      `$cc -O2 -shared -fPIC -DSEEN="\\"$seen\\"" -o out/lib${name}.so ${name}.c`,
      `echo "built ${name} for $DEVKIT_TARGET"`,
      '',
    ].join('\n'),
  );
}

/** Build containers of this file's packages created since `since` (a Unix time in seconds, with fractions). */
function createdContainers(since: string): number {
  const out = docker(
    'events',
    '--since',
    since,
    '--until',
    String(Math.floor(Date.now() / 1000) + 1),
    '--filter',
    'type=container',
    '--filter',
    'event=create',
    '--filter',
    'label=devkit.native=build',
    '--filter',
    `label=devkit.target`,
    '--format',
    '{{index .Actor.Attributes "devkit.package"}}',
  );
  return out === ''
    ? 0
    : out.split('\n').filter((line) => line.includes('@acme/alpha') || line.includes('@acme/beta')).length;
}

beforeAll(async () => {
  requireDocker();
  repo = copyFixture('acme');
  addPackage(repo, 'alpha');
  addPackage(repo, 'beta');
  const file = join(repo, 'devkit.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const spec = { build: 'sh build.sh', outputs: ['out/*'], targets: TARGETS };
  const native = {
    targets: Object.fromEntries(TARGETS.map((t) => [t, { builder: 'bullseye', glibc: '2.31' }])),
    packages: { '@acme/alpha': spec, '@acme/beta': spec },
  };
  writeFileSync(file, `${JSON.stringify({ ...config, native }, null, 2)}\n`);
  const made = await runDevkit(['native', 'images', '--builder', 'bullseye'], { cwd: repo, timeoutMs: 1_500_000 });
  expect(made.exitCode, made.stderr).toBe(0);
}, 1_800_000);

afterAll(() => cleanupTempDirs());

describe('devkit native build of several packages', () => {
  it('builds every package for every target with one container per target, each package alone in its source folder', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    const run = await runDevkit(['native', 'build', '--json'], { cwd: repo, timeoutMs: 600_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const builds = (JSON.parse(run.stdout) as { builds: Build[] }).builds;
    expect(builds.map((b) => [b.package, b.target, b.ok, b.cached])).toEqual([
      ['@acme/alpha', 'linux-arm64-gnu', true, false],
      ['@acme/alpha', 'linux-x64-gnu', true, false],
      ['@acme/beta', 'linux-arm64-gnu', true, false],
      ['@acme/beta', 'linux-x64-gnu', true, false],
    ]);
    expect(createdContainers(since)).toBe(2);
    for (const name of ['alpha', 'beta']) {
      for (const target of TARGETS) {
        const dist = join(repo, 'packages', name, 'dist/native', target);
        expect(readdirSync(dist).sort()).toEqual([`lib${name}.so`, 'manifest.json']);
        // Its own files and its own out/, nothing of the other package.
        expect(readFileSync(join(dist, `lib${name}.so`), 'latin1')).toContain(
          `seen: FAIL_FOR ${name}.c build.sh out package.json \0`,
        );
      }
    }
    // Each build says where its time went: its container's phases and its own build command.
    for (const b of builds) {
      for (const phase of ['create', 'start', 'upload', 'build', 'download', 'remove', 'verify', 'install'])
        expect(b.timings[phase], `${b.package} ${b.target} ${phase}`).toBeGreaterThanOrEqual(0);
    }
    expect(leftoverContainers()).toEqual([]);
  });

  it('a package that fails for one target hides nothing: exit 1 naming it, every other output built, installed and cached', async () => {
    writeFileSync(join(repo, 'packages/alpha/alpha.c'), 'int alpha_answer(void) { return 43; }\n');
    writeFileSync(join(repo, 'packages/alpha/FAIL_FOR'), 'linux-arm64-gnu\n');
    writeFileSync(join(repo, 'packages/beta/beta.c'), 'int beta_answer(void) { return 43; }\n');
    const before = readFileSync(join(repo, 'packages/beta/dist/native/linux-arm64-gnu/libbeta.so'));
    const run = await runDevkit(['native', 'build'], { cwd: repo, timeoutMs: 600_000 });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /E_NATIVE_BUILD_FAILED: @acme\/alpha for linux-arm64-gnu: `sh build.sh` exited with code 9/,
    );
    expect(run.stderr).toMatch(/^build of linux-arm64-gnu broken on purpose$/m);
    expect(run.stderr).not.toMatch(/built beta/);
    // beta for arm64, built in the same container after alpha failed there, is new and installed.
    expect(readFileSync(join(repo, 'packages/beta/dist/native/linux-arm64-gnu/libbeta.so'))).not.toEqual(before);
    expect(leftoverContainers()).toEqual([]);
    // Fixed: alpha is built again (a file of it changed), one container per target; beta, which
    // the failure did not stop, comes from the cache.
    writeFileSync(join(repo, 'packages/alpha/FAIL_FOR'), 'none\n');
    const since = (Date.now() / 1000).toFixed(3);
    const again = await runDevkit(['native', 'build', '--json'], { cwd: repo, timeoutMs: 600_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    const builds = (JSON.parse(again.stdout) as { builds: Build[] }).builds;
    expect(builds.filter((b) => !b.cached).map((b) => `${b.package} ${b.target}`)).toEqual([
      '@acme/alpha linux-arm64-gnu',
      '@acme/alpha linux-x64-gnu',
    ]);
    expect(createdContainers(since)).toBe(2);
    expect(existsSync(join(repo, 'packages/alpha/dist/native/linux-arm64-gnu/libalpha.so'))).toBe(true);
  });
});
