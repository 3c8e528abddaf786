import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, provisionPnpm, runDevkit, tempDir } from '@devkit/test-utils';
import {
  ORACLE_PNPM_VERSIONS,
  baseFiles,
  casesFor,
  type OracleCase,
  type OracleContext,
  type PnpmMajor,
} from './corpus.js';
import { copyWorkspace, createLimiter, pnpm, writeTree, type PnpmOptions } from './workspace.js';

/**
 * pnpm is the oracle, per major: for each mutation of a real workspace (installed from the
 * registry once per pnpm version, then offline from that version's store), `devkit lockfile
 * check` must reject exactly when that pnpm's `install --frozen-lockfile --offline` does. Each
 * workspace pins its pnpm (`packageManager`), so devkit judges it with that major's rules.
 */

// pnpm runs are mostly process start-up and file I/O: three at a time keep both cores busy
const limit = createLimiter(3);

interface CaseResult {
  name: string;
  agree: boolean;
  pnpm: string;
  devkit: string;
  detail: string;
  ms: number;
}

async function primeWorkspace(root: string, context: OracleContext, options: PnpmOptions): Promise<string> {
  const base = join(root, 'base');
  writeTree(base, baseFiles(context));
  // the one online step: resolve and fetch the real packages, priming this version's store
  const install = await pnpm(['install', '--ignore-scripts', '--no-frozen-lockfile'], { ...options, cwd: base });
  if (install.exitCode !== 0)
    throw new Error(`priming the oracle workspace with pnpm ${context.version} failed:\n${install.output}`);
  return base;
}

async function runCase(
  context: OracleContext,
  options: Omit<PnpmOptions, 'cwd'>,
  base: string,
  dir: string,
  testCase: OracleCase,
): Promise<CaseResult> {
  const start = Date.now();
  copyWorkspace(base, dir);
  if (testCase.relock) {
    testCase.relock(dir, context);
    const relock = await pnpm(['install', '--lockfile-only', '--offline', '--no-frozen-lockfile', '--ignore-scripts'], {
      ...options,
      cwd: dir,
    });
    if (relock.exitCode !== 0)
      throw new Error(
        `${testCase.name} (pnpm ${context.version}): pnpm could not rewrite the lockfile:\n${relock.output}`,
      );
  }
  testCase.mutate(dir, context);
  const [oracle, devkit] = await Promise.all([
    pnpm(['install', '--frozen-lockfile', '--offline', '--ignore-scripts'], { ...options, cwd: dir }),
    runDevkit(['lockfile', 'check', '--json'], { cwd: dir }),
  ]);
  let report: { findings?: { code: string; kind: string }[]; error?: { code: string } };
  try {
    report = JSON.parse(devkit.stdout) as typeof report;
  } catch {
    report = { error: { code: `no JSON on stdout (exit ${devkit.exitCode})` } };
  }
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
    ms: Date.now() - start,
  };
}

describe('devkit lockfile check agrees with pnpm install --frozen-lockfile, per pnpm major', () => {
  afterAll(() => cleanupTempDirs());

  // DEVKIT_ORACLE_PNPM=11 (or 9,12) runs only those majors, to work on one major's rules
  const only = process.env.DEVKIT_ORACLE_PNPM?.split(',').map(Number);
  for (const version of ORACLE_PNPM_VERSIONS.filter((v) => !only || only.includes(Number(v.split('.')[0])))) {
    const major = Number(version.split('.')[0]) as PnpmMajor;
    const context: OracleContext = { major, version };
    const cases = casesFor(major, Boolean(process.env.DEVKIT_ORACLE_FULL));

    it.concurrent(
      `pnpm ${version}: agrees on all ${cases.length} cases`,
      async () => {
        const command = await provisionPnpm(version);
        const root = tempDir(`devkit-lockfile-oracle-${major}-`);
        const options = { home: join(root, 'home'), store: join(root, 'store'), command };
        mkdirSync(options.home);
        const base = await limit(() => primeWorkspace(root, context, { ...options, cwd: root }));

        const results = await Promise.all(
          cases.map((testCase, index) =>
            limit(() => runCase(context, options, base, join(root, `case-${index}`), testCase)),
          ),
        );
        const agreed = results.filter((r) => r.agree).length;
        const table = results.map(
          (r) =>
            `${r.agree ? '✓' : '✗'} ${r.name.padEnd(72)} ${`${(r.ms / 1000).toFixed(1)}s`.padStart(6)} pnpm: ${r.pnpm.padEnd(36)} devkit: ${r.devkit}`,
        );
        process.stdout.write(
          `\nlockfile oracle pnpm ${major}: devkit agrees on ${agreed}/${results.length}\n${table.join('\n')}\n`,
        );
        expect(results.length).toBeGreaterThanOrEqual(40);
        expect(
          results.filter((r) => !r.agree).map((r) => `${r.name}: pnpm ${r.pnpm}, devkit ${r.devkit} ${r.detail}`),
        ).toEqual([]);
        // the corpus is only worth something if pnpm both accepts and rejects some of it
        expect(results.filter((r) => r.pnpm === 'ok').length).toBeGreaterThanOrEqual(8);
        expect(results.filter((r) => r.pnpm !== 'ok').length).toBeGreaterThanOrEqual(30);
      },
      1_200_000,
    );
  }
});
