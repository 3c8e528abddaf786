// Start-up of the published `devkit` package (packages/devkit/dist/bin.js, everything bundled
// into a few split chunks) beside the workspace build it is made from (packages/cli/dist/bin.js,
// one module per source file across eleven packages): `devkit --version` and
// `devkit lockfile check` on this repo, each 10 runs after 2 warm-up runs. Also the package's
// size as `pnpm pack` makes it. Needs `pnpm build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVKIT, REPO_ROOT, report, sh } from './lib/harness.mjs';

const BUNDLE = join(REPO_ROOT, 'packages/devkit/dist/bin.js');
if (!existsSync(BUNDLE) || !existsSync(DEVKIT)) {
  console.error('bench/startup: run `pnpm build` first (packages/devkit/dist/bin.js and packages/cli/dist/bin.js)');
  process.exit(2);
}

/** One timed run of `node <bin> …args` in ms; exit 0 or 1 (a finding) both count. */
function runOnce(bin, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`node ${bin} ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  return ms;
}

function summary(samples) {
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)],
    min: samples[0],
    max: samples.at(-1),
    runs: samples.length,
  };
}

/**
 * Both builds, `runs` times each after `warmup`, alternating run by run: on a shared machine a
 * burst of load then falls on both sides instead of on one.
 */
function timePair(args, { runs = 10, warmup = 2 } = {}) {
  const bundle = [];
  const workspace = [];
  for (let i = 0; i < warmup + runs; i++) {
    const a = runOnce(BUNDLE, args);
    const b = runOnce(DEVKIT, args);
    if (i < warmup) continue;
    bundle.push(a);
    workspace.push(b);
  }
  return { bundle: summary(bundle), workspace: summary(workspace) };
}

const round = (n) => Math.round(n * 10) / 10;
for (const [name, args] of [
  ['devkit --version: bundle vs workspace dist', ['--version']],
  ['devkit lockfile check (this repo): bundle vs workspace dist', ['lockfile', 'check']],
]) {
  const { bundle, workspace } = timePair(args);
  report(name, bundle, workspace, {
    bundle_min_ms: round(bundle.min),
    workspace_min_ms: round(workspace.min),
    runs: bundle.runs,
  });
}

const dest = mkdtempSync(join(tmpdir(), 'devkit-bench-pack-'));
try {
  sh('pnpm', ['pack', '--pack-destination', dest], { cwd: join(REPO_ROOT, 'packages/devkit') });
  const tarball = join(
    dest,
    readdirSync(dest).find((f) => f.endsWith('.tgz')),
  );
  const listing = sh('tar', ['-tzvf', tarball]).stdout.trim().split('\n');
  // `tar -tv`: permissions, owner, size, date, time, name.
  const unpacked = listing.reduce((sum, line) => sum + Number(line.split(/\s+/)[2]), 0);
  console.log(
    JSON.stringify({
      name: 'devkit package size',
      tarball_bytes: statSync(tarball).size,
      unpacked_bytes: unpacked,
      files: listing.length,
    }),
  );
} finally {
  rmSync(dest, { recursive: true, force: true });
}
