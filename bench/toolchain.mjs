// Toolchain figures: a warm `devkit bootstrap` of a repo whose pinned node and pnpm devkit
// provisioned (DESIGN.md: ≤ 300 ms), beside a warm `pnpm install --frozen-lockfile` by that
// pnpm; and `devkit exec -- node -e 0` beside plain `node -e 0` with the same node binary
// (target: within 30 ms). Uses the shared toolchain cache (fetched once when missing).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVKIT, report, sh, timeCommand } from './lib/harness.mjs';

const NODE = '24.22.3';
const PNPM = '9.15.9';

const repo = mkdtempSync(join(tmpdir(), 'devkit-bench-toolchain-'));
try {
  writeFileSync(
    join(repo, 'package.json'),
    JSON.stringify({ name: 'bench', private: true, packageManager: `pnpm@${PNPM}` }),
  );
  writeFileSync(join(repo, '.node-version'), `${NODE}\n`);
  writeFileSync(join(repo, 'pnpm-workspace.yaml'), 'packages: []\n');
  writeFileSync(
    join(repo, 'pnpm-lock.yaml'),
    "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .: {}\n",
  );
  sh('git', ['init', '-q'], { cwd: repo });
  sh(process.execPath, [DEVKIT, 'bootstrap', '--yes', '--no-services'], { cwd: repo });
  const state = JSON.parse(readFileSync(join(repo, '.devkit/toolchain.json'), 'utf8'));
  const node = join(state.shimDir, 'node');
  const pnpm = join(state.shimDir, 'pnpm');

  const bootstrap = timeCommand(process.execPath, [DEVKIT, 'bootstrap', '--no-services'], { cwd: repo, runs: 15 });
  const install = timeCommand(pnpm, ['install', '--frozen-lockfile', '--reporter=silent'], { cwd: repo, runs: 7 });
  report('warm bootstrap, provisioned node and pnpm', bootstrap, install, {
    node: NODE,
    pnpm: PNPM,
    devkit_node: process.version,
    target_ms: 300,
  });

  // Same node binary both ways: what devkit exec adds is its own start and the PATH set-up.
  const exec = timeCommand(process.execPath, [DEVKIT, 'exec', '--', 'node', '-e', '0'], {
    cwd: repo,
    runs: 30,
    warmup: 5,
  });
  const plain = timeCommand(node, ['-e', '0'], { cwd: repo, runs: 30, warmup: 5 });
  report('devkit exec -- node -e 0 vs node -e 0', exec, plain, {
    difference_ms: Math.round((exec.median - plain.median) * 10) / 10,
    // Fastest runs too: on a busy machine the medians mostly measure the scheduler.
    difference_min_ms: Math.round((exec.min - plain.min) * 10) / 10,
    node: NODE,
    devkit_node: process.version,
    target_difference_ms: 30,
  });
} finally {
  rmSync(repo, { recursive: true, force: true });
}
