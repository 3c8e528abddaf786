// Warm `devkit bootstrap` (nothing changed) vs warm `pnpm install --frozen-lockfile`, on the
// fixture monorepo and on a ≈2,000-package workspace. DESIGN.md target: ≤ 300 ms, ≤ 1/5 of pnpm.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVKIT, REPO_ROOT, report, sh, timeCommand } from './lib/harness.mjs';
import { ensureLargeWorkspace } from './lib/large-workspace.mjs';

const fixture = mkdtempSync(join(tmpdir(), 'devkit-bench-acme-'));
try {
  cpSync(join(REPO_ROOT, 'test/fixtures/acme'), fixture, {
    recursive: true,
    filter: (src) => !/node_modules|\.devkit|\/dist/.test(src),
  });
  sh('git', ['init', '-q'], { cwd: fixture });
  sh(process.execPath, [DEVKIT, 'bootstrap', '--yes'], { cwd: fixture });
  const devkit = timeCommand(process.execPath, [DEVKIT, 'bootstrap'], { cwd: fixture, runs: 15 });
  const pnpm = timeCommand('pnpm', ['install', '--frozen-lockfile', '--reporter=silent'], { cwd: fixture });
  report('warm bootstrap, fixture', devkit, pnpm, { target_ms: 300 });
} finally {
  rmSync(fixture, { recursive: true, force: true });
}

const large = ensureLargeWorkspace();
sh(process.execPath, [DEVKIT, 'bootstrap', '--yes'], { cwd: large.dir });
const devkit = timeCommand(process.execPath, [DEVKIT, 'bootstrap'], { cwd: large.dir, runs: 15 });
const pnpm = timeCommand('pnpm', ['install', '--frozen-lockfile', '--ignore-scripts', '--reporter=silent'], {
  cwd: large.dir,
  runs: 5,
  warmup: 1,
});
report('warm bootstrap, large workspace', devkit, pnpm, {
  packages: large.packages,
  target_ms: 300,
  target_ratio: 0.2,
});
