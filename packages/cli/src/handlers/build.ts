import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join, posix, sep } from 'node:path';
import { buildDeployable, compressionLabel, dependencyClosure, digestOf, packMtime, parseLockfile, planDeployable, readPackageJson, resolveDeployables, shortDigest, type BuildSession, type BuiltArtifact, type DeployableSpec, type NativePart, type PnpmLockfile } from '@devkit/artifact';
import { findingError, redactUrlCredentials, runCommand, usageError, type Reporter } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import type { BuildResult as NativeBuildResult } from '@devkit/native';
import { loadProject } from '../context.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { actor, actorLabel, devkitVersion, formatBytes, notifyEvent, openProjectStore } from './artifact-common.js';

/**
 * `devkit build`: turbo builds the workspace (its cache, local or remote, decides what
 * actually runs), native builds follow, then each deployable is packed into an artifact —
 * unless the store already holds one built from identical inputs.
 */
export async function run(input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const started = performance.now();
  const ctx = await loadProject(input, io);
  try {
    const result = await build(ctx, input, io);
    const data = result.data as { commit: string; artifacts: BuiltArtifact[] };
    const webhooks = [];
    for (const a of data.artifacts) {
      if (a.reused && !a.reproducible) continue;
      webhooks.push(...(await notifyEvent(ctx, io, { kind: 'build', outcome: 'success', name: a.name, environment: null, from: null, to: a.digest, commits: { from: null, to: data.commit }, actor: actorLabel(await actor(ctx)), durationMs: performance.now() - started })));
    }
    return { ...result, data: { ...data, webhooks } };
  } catch (error) {
    const hooks = ctx.config.notify?.webhooks ?? [];
    if (hooks.length > 0) {
      await notifyEvent(ctx, io, { kind: 'build', outcome: 'failure', name: (ctx.config.artifacts?.deployables ?? []).join(', '), environment: null, from: null, to: null, commits: { from: null, to: null }, actor: actorLabel(await actor(ctx)), durationMs: performance.now() - started, error: (error as Error).message });
    }
    throw error;
  }
}

async function build(ctx: ProjectContext, input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const dirs = ctx.config.artifacts?.deployables ?? [];
  if (dirs.length === 0) {
    throw usageError('E_NO_DEPLOYABLES', `${ctx.configFile}: artifacts.deployables is empty, so there is nothing to build`, {
      hint: 'add the folders to pack, e.g. "artifacts": { "deployables": ["apps/api"] }',
    });
  }
  const allowDirty = input.flags['allow-dirty'] === true;
  const checkReproducible = input.flags['check-reproducible'] === true;
  const git = await gitState(ctx.root);
  if (git.dirty && !allowDirty) {
    throw usageError('E_DIRTY_TREE', `the work tree at ${ctx.root} has uncommitted changes (${git.changes.slice(0, 5).join(', ')}${git.changes.length > 5 ? ', …' : ''}): an artifact must come from a commit`, {
      hint: 'commit (or stash) the changes, or pass --allow-dirty to build anyway (the artifact records dirty: true)',
    });
  }
  const lockPath = join(ctx.root, 'pnpm-lock.yaml');
  const lockText = await readFile(lockPath, 'utf8').catch(() => {
    throw usageError('E_NO_LOCKFILE', `${lockPath} does not exist: artifacts resolve dependencies from the lockfile`, { hint: 'run `pnpm install` to create it' });
  });
  const store = await openProjectStore(ctx);
  const specs = await resolveDeployables(ctx.root, dirs);
  const session: BuildSession = {
    root: ctx.root,
    store,
    lock: parseLockfile(lockText, lockPath),
    lockfileDigest: digestOf(lockText),
    commit: git.commit,
    dirty: git.dirty,
    toolchain: await toolchain(ctx.root),
    builders: {},
    devkitVersion: devkitVersion(),
    env: input.env,
    config: ctx.config,
    mtimeSeconds: packMtime(input.env),
    provenance: {
      builderId: builderId(input.env),
      ref: git.ref,
      repository: git.remote,
      invocationId: randomUUID(),
      devkitVersion: devkitVersion(),
      allowDirty,
    },
    reporter: io.reporter,
    now: () => new Date(),
  };

  const plans = [];
  for (const spec of specs) plans.push({ spec, ...(await planDeployable(session, spec)) });
  const toBuild = plans.filter((p) => checkReproducible || !p.existing);
  const shipped = await shippedNativePackages(ctx, session.lock, specs);
  let nativeResults: NativeBuildResult[] = [];
  if (toBuild.length > 0) {
    await runTurboBuild(ctx, toBuild.map((p) => p.spec), io.reporter, checkReproducible);
    const native = await runNativeBuilds(ctx, shipped, io.reporter);
    session.builders = native.builders;
    nativeResults = native.results;
  }
  const results: BuiltArtifact[] = [];
  for (const plan of plans) {
    if (plan.existing && !checkReproducible) {
      const { summarize } = await import('@devkit/artifact');
      io.reporter.emit({ type: 'log', level: 'info', message: `${plan.spec.name}: inputs unchanged (${shortDigest(plan.digest)}), reusing ${plan.existing.digest}` });
      results.push({ ...(await summarize(store, plan.spec, plan.existing, plan.digest)), reused: true });
      continue;
    }
    const native = await nativeParts(ctx, plan.spec, shipped, nativeResults);
    results.push(await buildDeployable(session, plan.spec, plan, { native, ...(plan.existing ? { checkAgainst: plan.existing } : {}) }));
  }
  return {
    exitCode: 0,
    data: { ok: true, commit: git.commit, dirty: git.dirty, store: store.root, artifacts: results },
    human: (s) =>
      results.flatMap((r) => [
        `${s.green('✓')} ${s.bold(`${r.name}@${r.digest}`)} ${formatBytes(r.size)}${r.reused ? s.dim(r.reproducible ? ' (rebuilt: bit-for-bit identical)' : ' (reused: inputs unchanged)') : ''}`,
        ...r.layers.map((l) => s.dim(`    ${l.part.padEnd(8)} ${shortDigest(l.digest)} ${formatBytes(l.size).padStart(10)}  ${l.entries} entries`)),
      ]),
  };
}

interface GitState {
  commit: string;
  dirty: boolean;
  changes: string[];
  ref: string | null;
  remote: string | null;
}

async function gitState(root: string): Promise<GitState> {
  const git = (args: string[]) =>
    runCommand('git', args, { cwd: root, failure: { code: 'E_NOT_A_GIT_REPO', exitCode: 2, hint: 'run devkit build in a git checkout with at least one commit' } });
  const commit = (await git(['rev-parse', 'HEAD'])).stdout.trim();
  const status = (await git(['status', '--porcelain', '--untracked-files=normal'])).stdout;
  const changes = status.split('\n').filter(Boolean).map((l) => l.slice(3));
  const ref = (await runCommand('git', ['symbolic-ref', '-q', 'HEAD'], { cwd: root }).catch(() => ({ stdout: '' }))).stdout.trim() || null;
  const remote = (await runCommand('git', ['config', '--get', 'remote.origin.url'], { cwd: root }).catch(() => ({ stdout: '' }))).stdout.trim() || null;
  return { commit, dirty: changes.length > 0, changes, ref, remote: remote ? redactUrlCredentials(remote) : null };
}

async function toolchain(root: string): Promise<Record<string, string>> {
  const pnpm = await runCommand('pnpm', ['--version'], { cwd: root, missingHint: 'install pnpm (`devkit bootstrap` does)' });
  return {
    node: process.version,
    pnpm: pnpm.stdout.trim(),
    platform: `${process.platform}-${process.arch}`,
    compression: compressionLabel(),
  };
}

/**
 * Who built it, for provenance: DEVKIT_BUILDER_ID when the CI sets one, the CI's own
 * identity when it is recognised, otherwise this user on this host — which a production
 * gate requiring a trusted builder will refuse.
 */
function builderId(env: NodeJS.ProcessEnv): string {
  if (env.DEVKIT_BUILDER_ID) return env.DEVKIT_BUILDER_ID;
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_REPOSITORY) return `https://github.com/${env.GITHUB_REPOSITORY}/actions`;
  if (env.GITLAB_CI === 'true' && env.CI_PROJECT_URL) return `${env.CI_PROJECT_URL}/-/pipelines`;
  let user = env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for this uid
  }
  return `local:${user}@${hostname()}`;
}

/**
 * The workspace build, through turbo: its local cache always, its remote cache when
 * TURBO_API / TURBO_TOKEN / TURBO_TEAM are set (turbo reads them itself). Only the
 * deployables and what they depend on are built.
 */
async function runTurboBuild(ctx: ProjectContext, specs: readonly DeployableSpec[], reporter: Reporter, force: boolean): Promise<void> {
  const turbo = join(ctx.root, 'node_modules', '.bin', 'turbo');
  if (!existsSync(turbo)) {
    throw usageError('E_TURBO_MISSING', `turbo is not installed in ${ctx.root} (no node_modules/.bin/turbo)`, {
      hint: 'add turbo to the root devDependencies (`pnpm add -Dw turbo`) and run `pnpm install`',
    });
  }
  const filters = specs.flatMap((s) => ['--filter', `${s.packageName}...`]);
  // --check-reproducible really rebuilds: turbo runs every task instead of replaying its cache.
  await runCommand(turbo, ['run', 'build', ...filters, '--output-logs=errors-only', ...(force ? ['--force'] : [])], {
    cwd: ctx.root,
    env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    reporter,
    source: 'turbo',
    secrets: [ctx.env.TURBO_TOKEN ?? ''].filter(Boolean),
    failure: { code: 'E_BUILD_FAILED', exitCode: 1, hint: 'fix the build error above, then run `devkit build` again' },
  });
}

/**
 * The native packages (devkit.json native.packages) that some deployable ships: those in a
 * deployable's production closure. Only they are built — a native package nothing deploys
 * does not hold up `devkit build`.
 */
async function shippedNativePackages(ctx: ProjectContext, lock: PnpmLockfile, specs: readonly DeployableSpec[]): Promise<Map<string, { name: string; dir: string; usedBy: Set<string> }>> {
  const configured = new Set(Object.keys(ctx.config.native?.packages ?? {}));
  const found = new Map<string, { name: string; dir: string; usedBy: Set<string> }>();
  if (configured.size === 0) return found;
  for (const spec of specs) {
    for (const member of dependencyClosure(lock, spec.dir, false).importers) {
      const name = (await readPackageJson(ctx.root, member)).name;
      if (!name || !configured.has(name)) continue;
      const entry = found.get(name) ?? { name, dir: member, usedBy: new Set<string>() };
      entry.usedBy.add(spec.name);
      found.set(name, entry);
    }
  }
  return found;
}

/**
 * Runs the native builds (packages/native: builder containers, verification, cache) for the
 * native packages the deployables ship, and turns their outputs into one artifact part per
 * target. Returns the builder image IDs for the build record.
 */
async function runNativeBuilds(
  ctx: ProjectContext,
  shipped: Map<string, { name: string; dir: string; usedBy: Set<string> }>,
  reporter: Reporter,
): Promise<{ builders: Record<string, string>; results: NativeBuildResult[] }> {
  if (shipped.size === 0) return { builders: {}, results: [] };
  const native = await import('@devkit/native');
  const results = await native.runNativeBuilds({ root: ctx.root, config: ctx.config, reporter, env: ctx.env, devkitVersion: devkitVersion(), packages: [...shipped.keys()] });
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw findingError('E_NATIVE_FAILED', `native outputs failed verification: ${failed.map((r) => `${r.package} ${r.target}`).join(', ')}`, {
      hint: 'run `devkit native build` to see each violation, fix it, then `devkit build` again',
    });
  }
  const builders: Record<string, string> = {};
  for (const r of results) builders[`${r.package} ${r.target}`] = r.image;
  return { builders, results };
}


/** The native outputs a deployable ships, one part per target, where its deps layer puts the package. */
async function nativeParts(
  ctx: ProjectContext,
  spec: DeployableSpec,
  shipped: Map<string, { name: string; dir: string; usedBy: Set<string> }>,
  results: readonly NativeBuildResult[],
): Promise<NativePart[]> {
  const byTarget = new Map<string, NativePart>();
  for (const r of results) {
    const pkg = shipped.get(r.package);
    if (!pkg || !pkg.usedBy.has(spec.name)) continue;
    const base = `node_modules/.pnpm/workspace+${pkg.dir.replaceAll('/', '+')}/node_modules/${pkg.name}`;
    const part = byTarget.get(r.target) ?? { target: r.target, entries: [] };
    for (const o of r.outputs) {
      const source = join(ctx.root, o.path);
      const st = await stat(source);
      part.entries.push({ type: 'file', path: `${base}/${posix.relative(pkg.dir, o.path.split(sep).join('/'))}`, source, size: st.size, executable: (st.mode & 0o111) !== 0 });
    }
    byTarget.set(r.target, part);
  }
  return [...byTarget.values()].sort((a, b) => (a.target < b.target ? -1 : 1));
}
