// `devkit lockfile check` vs pnpm's own frozen-lockfile check on the same large real workspace
// (≈2,100 packages, bench/lib/large-workspace.mjs): `pnpm install --frozen-lockfile --offline
// --lockfile-only` reads the lockfile and the manifests and stops there, which is the closest
// peer pnpm has. DESIGN.md target: ratio ≤ 0.2.
//
// Runs alternate between the two so that load on a shared machine hits both alike.
import { DEVKIT, report, sh } from './lib/harness.mjs';
import { ensureLargeWorkspace } from './lib/large-workspace.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const WARMUP = 2;

const { dir, packages } = ensureLargeWorkspace();
const devkit = [process.execPath, [DEVKIT, 'lockfile', 'check', '--json']];
const peer = ['pnpm', ['install', '--frozen-lockfile', '--offline', '--lockfile-only', '--reporter=silent']];

// Both must accept the lockfile, or the comparison means nothing.
const verdict = JSON.parse(sh(devkit[0], devkit[1], { cwd: dir }).stdout);
if (!verdict.ok || verdict.packages < 2000)
  throw new Error(
    `the large workspace is not a clean ≥2,000-package lockfile: ${JSON.stringify(verdict).slice(0, 500)}`,
  );
sh(peer[0], peer[1], { cwd: dir });

const time = ([cmd, args]) => {
  const start = process.hrtime.bigint();
  sh(cmd, args, { cwd: dir });
  return Number(process.hrtime.bigint() - start) / 1e6;
};
for (let i = 0; i < WARMUP; i++) {
  time(devkit);
  time(peer);
}
const samples = { devkit: [], peer: [] };
for (let i = 0; i < RUNS; i++) {
  samples.devkit.push(time(devkit));
  samples.peer.push(time(peer));
}
const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), runs: sorted.length };
};
report('lockfile check, large workspace', stats(samples.devkit), stats(samples.peer), {
  packages,
  importers: verdict.importers,
});
