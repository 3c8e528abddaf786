import { readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { digestParts, type Step, type StepCheck } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import { hostPath, PIN_FILE_NAMES, readActiveToolchain, toolchainPath } from './active.js';
import { devkitCacheDir } from './cache.js';
import { findPnpm } from './detect.js';

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

function identity(path: string): string | null {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return null;
  }
}

/** A cheap identity (real path, size, mtime) of the first `node` on `path`. */
function nodeIdentity(path: string): string {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      const real = realpathSync(join(dir, 'node'));
      const stat = statSync(real);
      return `${real}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      // not in this folder
    }
  }
  return 'none';
}

/**
 * Bootstrap step: the node and pnpm the repo pins are available — the machine's own when they
 * match, else provisioned from the npm registry into the shared toolchain cache — and first on
 * PATH for every step after this one (pnpm install, hooks, services' setup commands).
 */
export const toolchainStep: Step<ProjectContext> = {
  id: 'toolchain',
  title: 'toolchain',
  async fingerprint(ctx) {
    const machinePath = hostPath(ctx.env);
    const manifestText = readOrNull(join(ctx.root, 'package.json'))?.toString('utf8');
    const active = readActiveToolchain(ctx.root, ctx.env);
    return digestParts([
      ...PIN_FILE_NAMES.map((name): [string, Buffer | string | null] =>
        name === 'devkit.json'
          ? [name, JSON.stringify(ctx.config.toolchain ?? null)]
          : [name, readOrNull(join(ctx.root, name))],
      ),
      // A runtime pnpm downloads (`onFail: download`) is pinned exactly by the lockfile, which is
      // large: its identity is enough, and only when the manifest asks for such a runtime.
      ['lockfile', manifestText?.includes('"download"') ? identity(join(ctx.root, 'pnpm-lock.yaml')) : null],
      ['node', `${process.version}:${nodeIdentity(machinePath)}`],
      ['pnpm', findPnpm({ ...ctx.env, PATH: machinePath }).identity],
      ['cache', devkitCacheDir(ctx.env)],
      ['active', active ? JSON.stringify(active) : 'none'],
    ]);
  },
  async check(ctx): Promise<StepCheck> {
    // semver, the pin reader and the registry client load only when the fingerprint missed.
    const [{ readPins }, { gatherToolchainFacts, planToolchain }, { checkToolchain }] = await Promise.all([
      import('./pins.js'),
      import('./toolchain.js'),
      import('./toolchain-check.js'),
    ]);
    const pins = readPins(ctx.root, ctx.config);
    const facts = pins.problems.some((p) => p.severity === 'error')
      ? { cached: { node: [], pnpm: [] }, host: { node: undefined, pnpm: undefined } }
      : await gatherToolchainFacts(pins, { env: ctx.env, cwd: ctx.root });
    const verdict = checkToolchain(pins, planToolchain(pins, facts), readActiveToolchain(ctx.root, ctx.env));
    for (const note of verdict.notes) ctx.reporter.emit({ type: 'log', level: 'warn', message: note });
    return { upToDate: verdict.upToDate, summary: verdict.summary, problems: verdict.problems };
  },
  async run(ctx) {
    const [{ readPins }, { gatherToolchainFacts, planToolchain, provisionToolchain }] = await Promise.all([
      import('./pins.js'),
      import('./toolchain.js'),
    ]);
    const pins = readPins(ctx.root, ctx.config);
    const facts = await gatherToolchainFacts(pins, { env: ctx.env, cwd: ctx.root });
    const provisioned = await provisionToolchain(pins, planToolchain(pins, facts), facts, {
      root: ctx.root,
      env: ctx.env,
      reporter: ctx.reporter,
    });
    // The steps after this one start pnpm, hooks and setup commands with ctx.env.
    ctx.env.PATH = toolchainPath(provisioned, ctx.env);
  },
};
