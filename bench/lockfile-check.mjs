// `devkit lockfile check` vs the pinned pnpm's own frozen-lockfile check on the same real
// workspaces: `pnpm install --frozen-lockfile --offline --lockfile-only` reads the lockfile and
// the manifests and stops there, which is the closest peer pnpm has. DESIGN.md target: ratio
// ≤ 0.2, on a 2,000-package lockfile and on a real repo of ≈300 importers.
//
// Two workspaces (bench/lib): the large one (≈2,100 packages, 6 importers) and the wide one
// (300 importers, ≈1,400 packages, catalogs and overrides), each pinned to pnpm 10 and, as a
// copy whose lockfile pnpm 11 rewrote, to pnpm 11, whose rules differ. The peer is the pinned
// pnpm from the toolchain cache. Both run on the repo's pinned Node (.node-version; BENCH_NODE
// picks another exact version, or `current` for the Node running the bench; pnpm 11 needs ≥ 22.13
// and runs on Node 24 when that is older).
//
// Runs alternate between the two so that load on a shared machine hits both alike.
// BENCH_RUNS (default 9) sets the runs per figure; BENCH_PNPM=10 (or 11) runs one major only;
// BENCH_BASELINE=<another checkout>/packages/cli/dist/bin.js times that build too, in the same
// alternation (baseline_ms, baseline_ratio), to compare a change with what it replaces.
import { DEVKIT, report, sh } from './lib/harness.mjs';
import { ensureLargeWorkspace } from './lib/large-workspace.mjs';
import { ensurePnpmVariant } from './lib/pnpm-variant.mjs';
import { benchNode, pnpmCommand } from './lib/toolchains.mjs';
import { WIDE_PNPM, ensureWideWorkspace } from './lib/wide-workspace.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const WARMUP = 2;
const PNPM = { 10: WIDE_PNPM, 11: '11.28.13' };
const majors = process.env.BENCH_PNPM ? process.env.BENCH_PNPM.split(',') : Object.keys(PNPM);
const BASELINE = process.env.BENCH_BASELINE;
const node = await benchNode();

const workspaces = [
  { label: 'large workspace', ...ensureLargeWorkspace(), enough: (v) => v.packages >= 2000 },
  { label: 'wide workspace', ...ensureWideWorkspace(), enough: (v) => v.importers >= 280 },
];

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), runs: sorted.length };
};
const time = ([cmd, args, env], cwd) => {
  const start = process.hrtime.bigint();
  sh(cmd, args, { cwd, env });
  return Number(process.hrtime.bigint() - start) / 1e6;
};

for (const workspace of workspaces) {
  for (const major of majors) {
    const version = PNPM[major];
    const dir = major === '10' ? workspace.dir : await ensurePnpmVariant(workspace.dir, version);
    const pnpm = await pnpmCommand(version, node);
    const devkit = [node.path, [DEVKIT, 'lockfile', 'check', '--json'], {}];
    const baseline = BASELINE && [node.path, [BASELINE, 'lockfile', 'check', '--json'], {}];
    const peer = [
      pnpm.cmd,
      [...pnpm.args, 'install', '--frozen-lockfile', '--offline', '--lockfile-only', '--reporter=silent'],
      pnpm.env,
    ];

    // Both must accept the lockfile, judging by the same pnpm, or the comparison means nothing.
    const verdict = JSON.parse(sh(devkit[0], devkit[1], { cwd: dir }).stdout);
    if (!verdict.ok || !workspace.enough(verdict) || verdict.pnpm?.major !== Number(major)) {
      throw new Error(
        `${dir}: not a clean lockfile judged by pnpm ${major}'s rules: ${JSON.stringify(verdict).slice(0, 800)}`,
      );
    }
    sh(peer[0], peer[1], { cwd: dir, env: peer[2] });
    if (baseline) {
      const before = JSON.parse(sh(baseline[0], baseline[1], { cwd: dir }).stdout);
      if (JSON.stringify(before.findings) !== JSON.stringify(verdict.findings))
        throw new Error(`${dir}: the baseline build's verdict differs: ${JSON.stringify(before).slice(0, 800)}`);
    }

    const commands = { devkit, peer, ...(baseline ? { baseline } : {}) };
    for (let i = 0; i < WARMUP; i++) for (const command of Object.values(commands)) time(command, dir);
    const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
    for (let i = 0; i < RUNS; i++)
      for (const [name, command] of Object.entries(commands)) samples[name].push(time(command, dir));
    const peerStats = stats(samples.peer);
    const baselineFigures = baseline
      ? {
          baseline_ms: Math.round(stats(samples.baseline).median * 10) / 10,
          baseline_ratio: Math.round((stats(samples.baseline).median / peerStats.median) * 1000) / 1000,
        }
      : {};
    report(`lockfile check, ${workspace.label}, pnpm ${major}`, stats(samples.devkit), peerStats, {
      ...baselineFigures,
      packages: verdict.packages,
      importers: verdict.importers,
      pnpm: version,
      node: { devkit: node.version, pnpm: pnpm.node ?? 'standalone' },
    });
  }
}
