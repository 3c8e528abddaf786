import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  defaultTurboJson,
  findTurboJson,
  readPackageJson,
  type DeployableSpec,
  type TurboJson,
} from '@devkit/artifact';
import { machineError, readFileIfExists, runCommand, usageError, writeFileAtomic, type Reporter } from '@devkit/core';

/** Where devkit's default pipeline is written when the repo has no turbo.json (never into the user's tree). */
export const DEFAULT_PIPELINE_PATH = '.devkit/turbo.json';

/** The workspace build through turbo, as plain data: which turbo, with which config and flags. */
export interface TurboRunPlan {
  /** The command as shown: `turbo run build --filter …` with the flags devkit adds. */
  command: string[];
  filters: string[];
  force: boolean;
  /** Which turbo runs: the repo's own (node_modules/.bin/turbo) or the one devkit is installed with. */
  turbo: { source: 'repo' | 'devkit'; version: string | null; path: string };
  /** The root turbo config turbo reads: the repo's, or devkit's default pipeline. */
  config: { path: string; generated: boolean };
  /** devkit's default pipeline (written to `config.path` before turbo runs), when the repo has no turbo.json. */
  defaultPipeline: TurboJson | null;
  /**
   * The package manager turbo is told of: the root package.json's declaration, or null when it
   * has none (turbo then infers pnpm from pnpm-lock.yaml: --dangerously-disable-package-manager-check).
   */
  packageManager: { declared: string | null; field: 'packageManager' | 'devEngines.packageManager' | null };
}

/**
 * Plans the turbo run that builds what gets packed. The repo's own turbo wins; without one,
 * the turbo devkit is installed with (its `turbo` dependency) runs. Without a turbo.json,
 * devkit's default pipeline goes in through --root-turbo-json; without a packageManager
 * declaration, turbo is told to infer it (it refuses otherwise). A repo turbo too old for the
 * flag a repo needs is refused here with the fix, not deep inside turbo.
 */
export async function planTurboRun(
  root: string,
  packed: readonly DeployableSpec[],
  options: { force: boolean; pnpmVersion: string | undefined },
): Promise<TurboRunPlan> {
  const filters = packed.map((s) => `${s.packageName}...`);
  const turbo = await resolveTurbo(root);
  const rootJson = await findTurboJson(root);
  const defaultPipeline = rootJson
    ? null
    : defaultTurboJson(
        await Promise.all(
          packed.map(async (s) => ({ packageName: s.packageName, files: (await readPackageJson(root, s.dir)).files })),
        ),
      );
  const packageManager = await declaredPackageManager(root);
  const extra: string[] = [];
  if (!rootJson) extra.push('--root-turbo-json', DEFAULT_PIPELINE_PATH);
  // Without a declaration turbo 2 refuses to run; the flag makes it infer pnpm from
  // pnpm-lock.yaml. Its launcher, though, then takes the repo for a single package and finds
  // no workspace packages (turbo 2.11): --skip-infer keeps it out of the way.
  // turbo 1 finds pnpm from the lockfile by itself.
  const needsDeclaration = !packageManager.declared && !/^1\./.test(turbo.version ?? '');
  if (needsDeclaration) extra.push('--dangerously-disable-package-manager-check');
  // devkit chose the binary; turbo's launcher would otherwise look for a local turbo and warn that there is none.
  if (turbo.source === 'devkit' || needsDeclaration) extra.push('--skip-infer');
  if (turbo.source === 'repo' && extra.length > 0) await checkFlags(root, turbo, extra, options.pnpmVersion);
  return {
    command: [
      'turbo',
      'run',
      'build',
      ...filters.flatMap((f) => ['--filter', f]),
      '--output-logs=errors-only',
      ...(options.force ? ['--force'] : []),
      ...extra,
    ],
    filters,
    force: options.force,
    turbo,
    config: { path: rootJson ?? DEFAULT_PIPELINE_PATH, generated: !rootJson },
    defaultPipeline,
    packageManager,
  };
}

/**
 * The workspace build, through turbo: its local cache always, its remote cache when
 * TURBO_API / TURBO_TOKEN / TURBO_TEAM are set (turbo reads them itself). devkit's default
 * pipeline, when the plan has one, is written first.
 */
export async function runTurbo(
  root: string,
  plan: TurboRunPlan,
  env: NodeJS.ProcessEnv,
  reporter: Reporter,
): Promise<void> {
  if (plan.defaultPipeline) {
    const file = join(root, plan.config.path);
    const text = `${JSON.stringify(plan.defaultPipeline, null, 2)}\n`;
    if ((await readFileIfExists(file)) !== text) await writeFileAtomic(file, text);
  }
  await runCommand(plan.turbo.path, plan.command.slice(1), {
    cwd: root,
    env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    reporter,
    source: 'turbo',
    secrets: [env.TURBO_TOKEN ?? ''].filter(Boolean),
    failure: { code: 'E_BUILD_FAILED', exitCode: 1, hint: 'fix the build error above, then run `devkit build` again' },
  });
}

/** The repo's turbo (node_modules/.bin/turbo), else the one devkit is installed with. */
async function resolveTurbo(root: string): Promise<TurboRunPlan['turbo']> {
  const repoBin = join(root, 'node_modules', '.bin', 'turbo');
  if (existsSync(repoBin)) {
    return {
      source: 'repo',
      version: await packageVersion(join(root, 'node_modules', 'turbo', 'package.json')),
      path: repoBin,
    };
  }
  const own = devkitTurbo();
  if ('path' in own) return { source: 'devkit', version: own.version, path: own.path };
  throw machineError(
    'E_TURBO_MISSING',
    `turbo is not installed in ${root} (no node_modules/.bin/turbo), and ${own.reason}`,
    {
      hint: "add turbo to the root devDependencies (`pnpm add -Dw turbo`) and run `pnpm install`, or reinstall devkit (`pnpm install --force`) so that its turbo dependency has this platform's binary",
    },
  );
}

/**
 * turbo from devkit's own install: the `turbo` package devkit depends on and, beside it, the
 * platform binary its launcher would pick (`@turbo/<os>-<arch>`, an optional dependency of
 * turbo; `turbo-<os>-<arch>` before turbo 2.9). Run directly: no Node launcher in between.
 */
function devkitTurbo(): { path: string; version: string | null } | { reason: string } {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('turbo/package.json');
  } catch {
    return { reason: "devkit's own install has no turbo package" };
  }
  const fromTurbo = createRequire(manifest);
  const os = process.platform === 'win32' ? 'windows' : process.platform === 'android' ? 'linux' : process.platform;
  const arch = process.arch === 'x64' ? '64' : process.arch;
  const exe = process.platform === 'win32' ? '.exe' : '';
  let version: string | null = null;
  try {
    version = (fromTurbo('./package.json') as { version?: string }).version ?? null;
  } catch {
    // the version is for the plan only
  }
  for (const name of [`@turbo/${os}-${arch}`, `turbo-${os}-${arch}`]) {
    try {
      return { path: fromTurbo.resolve(`${name}/bin/turbo${exe}`), version };
    } catch {
      // not this name
    }
  }
  return {
    reason: `devkit's turbo ${version ?? ''} has no binary for ${os}-${arch} (@turbo/${os}-${arch} is not installed)`,
  };
}

async function packageVersion(manifest: string): Promise<string | null> {
  try {
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/** The root package.json's package manager declaration (`packageManager`, or `devEngines.packageManager` which turbo 2 also reads). */
async function declaredPackageManager(root: string): Promise<TurboRunPlan['packageManager']> {
  const manifest = JSON.parse((await readFileIfExists(join(root, 'package.json'))) ?? '{}') as {
    packageManager?: unknown;
    devEngines?: { packageManager?: unknown };
  };
  if (typeof manifest.packageManager === 'string' && manifest.packageManager.trim())
    return { declared: manifest.packageManager.trim(), field: 'packageManager' };
  const dev = manifest.devEngines?.packageManager;
  const devName = Array.isArray(dev)
    ? (dev[0] as { name?: unknown } | undefined)?.name
    : (dev as { name?: unknown } | undefined)?.name;
  if (typeof devName === 'string') return { declared: devName, field: 'devEngines.packageManager' };
  return { declared: null, field: null };
}

/** Refuses a repo turbo that lacks a flag this repo needs, naming the fixes (newer turbo, or the file the flag stands in for). */
async function checkFlags(
  root: string,
  turbo: TurboRunPlan['turbo'],
  extra: readonly string[],
  pnpmVersion: string | undefined,
): Promise<void> {
  const help = await runCommand(turbo.path, ['run', '--help'], { cwd: root, env: { TURBO_TELEMETRY_DISABLED: '1' } })
    .then((r) => `${r.stdout}\n${r.stderr}`)
    .catch(() => '');
  const lacking = extra.filter((f) => f.startsWith('--') && !help.includes(f));
  if (lacking.length === 0) return;
  const fixes = [
    '`pnpm add -Dw turbo@^2` for a turbo that has them',
    ...(lacking.includes('--root-turbo-json')
      ? [
          `a turbo.json at the root (e.g. {"${/^1\./.test(turbo.version ?? '') ? 'pipeline' : 'tasks'}":{"build":{"dependsOn":["^build"],"outputs":["dist/**"]}}})`,
        ]
      : []),
    ...(lacking.includes('--dangerously-disable-package-manager-check')
      ? [`\`pnpm pkg set packageManager=pnpm@${pnpmVersion ?? '<version>'}\``]
      : []),
  ];
  throw usageError(
    'E_TURBO_TOO_OLD',
    `${root}'s turbo ${turbo.version ?? '(version unknown)'} has no ${lacking.join(', ')}, which this repo needs (${[
      ...(lacking.includes('--root-turbo-json') ? ['no turbo.json'] : []),
      ...(lacking.includes('--dangerously-disable-package-manager-check') ? ['no packageManager in package.json'] : []),
      ...(lacking.includes('--skip-infer') ? ['no packageManager in package.json'] : []),
    ]
      .filter((x, i, all) => all.indexOf(x) === i)
      .join(', ')})`,
    { hint: `either ${fixes.join(', or ')}` },
  );
}
