import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, hasBinary, requirePrerequisite, runDevkit, tempDir } from '@devkit/test-utils';
import { ORACLE_CASES } from './corpus.js';
import { BASE_FILES, copyWorkspace, mapLimit, pnpm, writeTree } from './workspace.js';

/**
 * pnpm is the oracle: for each mutation of a real workspace (installed from the registry once,
 * then offline from the same store), `devkit lockfile check` must reject exactly when
 * `pnpm install --frozen-lockfile --offline` does.
 */
describe('devkit lockfile check agrees with pnpm install --frozen-lockfile', () => {
  let root: string;
  let base: string;
  const env = { home: '', store: '' };

  beforeAll(async () => {
    requirePrerequisite('pnpm', hasBinary('pnpm'), 'install pnpm 10 (tools/bootstrap.sh does)');
    root = tempDir('devkit-lockfile-oracle-');
    env.home = join(root, 'home');
    env.store = join(root, 'store');
    mkdirSync(env.home);
    base = join(root, 'base');
    writeTree(base, BASE_FILES);
    // the one online step: resolve and fetch the real packages, priming the store
    const install = await pnpm(['install', '--ignore-scripts', '--no-frozen-lockfile'], { cwd: base, ...env });
    if (install.exitCode !== 0) throw new Error(`priming the oracle workspace failed:\n${install.output}`);
  });

  afterAll(() => cleanupTempDirs());

  it(`agrees on all ${ORACLE_CASES.length} cases`, async () => {
    const results = await mapLimit(ORACLE_CASES, 2, async (testCase, index) => {
      const dir = join(root, `case-${index}`);
      copyWorkspace(base, dir);
      if (testCase.relock) {
        testCase.relock(dir);
        const relock = await pnpm(
          ['install', '--lockfile-only', '--offline', '--no-frozen-lockfile', '--ignore-scripts'],
          { cwd: dir, ...env },
        );
        if (relock.exitCode !== 0)
          throw new Error(`${testCase.name}: pnpm could not rewrite the lockfile:\n${relock.output}`);
      }
      testCase.mutate(dir);
      const [oracle, devkit] = await Promise.all([
        pnpm(['install', '--frozen-lockfile', '--offline', '--ignore-scripts'], { cwd: dir, ...env }),
        runDevkit(['lockfile', 'check', '--json'], { cwd: dir }),
      ]);
      const report = JSON.parse(devkit.stdout) as {
        findings?: { code: string; kind: string }[];
        error?: { code: string };
      };
      const codes = report.error ? [report.error.code] : (report.findings ?? []).map((f) => f.code);
      const pnpmRejects = oracle.exitCode !== 0;
      const devkitRejects = devkit.exitCode !== 0;
      return {
        name: testCase.name,
        agree:
          pnpmRejects === devkitRejects &&
          [0, 1, 2].includes(devkit.exitCode) &&
          (report.findings ?? []).every((f) => f.kind === 'drift'),
        pnpm: pnpmRejects ? (oracle.error ?? `exit ${oracle.exitCode}`) : 'ok',
        devkit: devkitRejects ? `exit ${devkit.exitCode} ${[...new Set(codes)].join(',')}` : 'ok',
        detail: devkit.stderr,
      };
    });
    const agreed = results.filter((r) => r.agree).length;
    const table = results.map(
      (r) => `${r.agree ? '✓' : '✗'} ${r.name.padEnd(62)} pnpm: ${r.pnpm.padEnd(36)} devkit: ${r.devkit}`,
    );
    process.stdout.write(
      `\nlockfile oracle: devkit agrees with pnpm on ${agreed}/${results.length} cases\n${table.join('\n')}\n`,
    );
    expect(results.length).toBeGreaterThanOrEqual(40);
    expect(
      results.filter((r) => !r.agree).map((r) => `${r.name}: pnpm ${r.pnpm}, devkit ${r.devkit} ${r.detail}`),
    ).toEqual([]);
    // the corpus is only worth something if pnpm both accepts and rejects some of it
    expect(results.filter((r) => r.pnpm === 'ok').length).toBeGreaterThanOrEqual(8);
    expect(results.filter((r) => r.pnpm !== 'ok').length).toBeGreaterThanOrEqual(30);
  });
});
