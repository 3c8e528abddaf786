import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildDeployable,
  builderIdentity,
  digestOf,
  nativeParts,
  packMtime,
  planDeployableBuild,
  readBuildToolchain,
  readGitState,
  resolveDeployables,
  shippedNativePackages,
  shortDigest,
  type BuildSession,
  type BuiltArtifact,
  type DeployablePlan,
  type DeployableSpec,
  type GitState,
  type LayerPlan,
  type NativeOutputRecord,
  type ShippedNativePackage,
} from '@devkit/artifact';
import { findingError, runCommand, usageError, type Reporter } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import { parseLockfile } from '@devkit/lockfile';
import { devkitVersion, openProjectStore } from '../handlers/artifact-common.js';

/** What `devkit build` will do, as plain data: printed by --dry-run, carried out by applyBuild. */
export interface BuildPlan {
  store: string;
  /** The checkout, and whether its uncommitted changes block the build (and why). */
  git: GitState & { blocks: boolean; reason: string | null };
  /** The workspace build through turbo; null when every deployable is reused. */
  turbo: { command: string[]; filters: string[]; force: boolean } | null;
  /** Native packages some deployable ships, per target and builder; built only when something is packed. */
  native: Array<{ package: string; target: string; builder: string; usedBy: string[] }>;
  deployables: DeployablePlan[];
}

export interface BuildOptions {
  allowDirty: boolean;
  checkReproducible: boolean;
  /** Count each layer's entries (scans the files; for --dry-run). */
  detail: boolean;
  reporter: Reporter;
}

/** A plan with what applying it needs beyond the data: the build session and each deployable's inputs. */
export interface PreparedBuild {
  plan: BuildPlan;
  session: BuildSession;
  specs: DeployableSpec[];
  shipped: ShippedNativePackage[];
  planned: Map<string, Awaited<ReturnType<typeof planDeployableBuild>>['planned']>;
}

/**
 * Plans a build from each package's own part: the checkout's state (artifact), the lockfile
 * (lockfile), each deployable's reuse and layers (artifact), the native targets (native), and
 * the turbo run that builds what gets packed. Nothing is written. Unless the plan is only to
 * be shown (`forApply: false`), a dirty tree without --allow-dirty is refused here and a
 * missing store is created.
 */
export async function planBuild(
  ctx: ProjectContext,
  options: BuildOptions & { forApply: boolean },
): Promise<PreparedBuild> {
  const dirs = ctx.config.artifacts?.deployables ?? [];
  if (dirs.length === 0) {
    throw usageError(
      'E_NO_DEPLOYABLES',
      `${ctx.configFile}: artifacts.deployables is empty, so there is nothing to build`,
      {
        hint: 'add the folders to pack, e.g. "artifacts": { "deployables": ["apps/api"] }',
      },
    );
  }
  const git = await readGitState(ctx.root);
  const blocks = git.dirty && !options.allowDirty;
  const blockedReason = blocks
    ? `the work tree at ${ctx.root} has uncommitted changes (${git.changes.slice(0, 5).join(', ')}${git.changes.length > 5 ? ', …' : ''}): an artifact must come from a commit`
    : null;
  if (blocks && options.forApply) {
    throw usageError('E_DIRTY_TREE', blockedReason ?? '', {
      hint: 'commit (or stash) the changes, or pass --allow-dirty to build anyway (the artifact records dirty: true)',
    });
  }
  const lockPath = join(ctx.root, 'pnpm-lock.yaml');
  const lockText = await readFile(lockPath, 'utf8').catch(() => {
    throw usageError('E_NO_LOCKFILE', `${lockPath} does not exist: artifacts resolve dependencies from the lockfile`, {
      hint: 'run `pnpm install` to create it',
    });
  });
  const store = await openProjectStore(ctx, { create: options.forApply });
  const specs = await resolveDeployables(ctx.root, dirs);
  const session: BuildSession = {
    root: ctx.root,
    store,
    lock: parseLockfile(lockText, lockPath),
    lockfileDigest: digestOf(lockText),
    commit: git.commit,
    dirty: git.dirty,
    toolchain: await readBuildToolchain(ctx.root),
    builders: {},
    devkitVersion: devkitVersion(),
    env: ctx.env,
    config: ctx.config,
    mtimeSeconds: packMtime(ctx.env),
    provenance: {
      builderId: builderIdentity(ctx.env),
      ref: git.ref,
      repository: git.remote,
      invocationId: randomUUID(),
      devkitVersion: devkitVersion(),
      allowDirty: options.allowDirty,
    },
    reporter: options.reporter,
    now: () => new Date(),
  };
  const shipped = await shippedNativePackages(
    ctx.root,
    session.lock,
    specs,
    Object.keys(ctx.config.native?.packages ?? {}),
  );
  const deployables: DeployablePlan[] = [];
  const planned: PreparedBuild['planned'] = new Map();
  for (const spec of specs) {
    const { plan, planned: inputs } = await planDeployableBuild(session, spec, {
      rebuild: options.checkReproducible,
      detail: options.detail,
    });
    deployables.push(plan);
    planned.set(spec.name, inputs);
  }
  const packed = specs.filter((s) => !deployables.find((d) => d.name === s.name)?.reuse);
  // Native builds run only when something is packed, so native's plan is made only then.
  const native = packed.length ? await planNative(ctx, shipped) : [];
  for (const d of deployables) if (!d.reuse) d.layers.push(...nativeLayers(d.name, native));
  const filters = packed.map((s) => `${s.packageName}...`);
  // --check-reproducible really rebuilds: turbo runs every task instead of replaying its cache.
  const turbo = packed.length
    ? {
        command: [
          'turbo',
          'run',
          'build',
          ...filters.flatMap((f) => ['--filter', f]),
          '--output-logs=errors-only',
          ...(options.checkReproducible ? ['--force'] : []),
        ],
        filters,
        force: options.checkReproducible,
      }
    : null;
  return {
    plan: { store: store.root, git: { ...git, blocks, reason: blockedReason }, turbo, native, deployables },
    session,
    specs,
    shipped,
    planned,
  };
}

/** One layer per target of the native packages a deployable ships. */
function nativeLayers(name: string, native: BuildPlan['native']): LayerPlan[] {
  const mine = native.filter((n) => n.usedBy.includes(name));
  return [...new Set(mine.map((n) => n.target))].sort().map((target) => ({
    part: `native-${target}`,
    target,
    source: `native outputs of ${mine
      .filter((n) => n.target === target)
      .map((n) => n.package)
      .join(', ')} built for ${target}`,
    entries: null,
  }));
}

/** The native builds of the shipped packages, per target (native's own plan, which checks the config). */
async function planNative(ctx: ProjectContext, shipped: readonly ShippedNativePackage[]): Promise<BuildPlan['native']> {
  if (shipped.length === 0) return [];
  const { planNativeBuilds } = await import('@devkit/native');
  const builds = await planNativeBuilds({
    root: ctx.root,
    config: ctx.config,
    env: ctx.env,
    packages: shipped.map((s) => s.name),
  });
  return builds.map((b) => ({
    package: b.packageName,
    target: b.target.name,
    builder: b.target.builder,
    usedBy: shipped.find((s) => s.name === b.packageName)?.usedBy ?? [],
  }));
}

/**
 * Carries out a build plan: turbo builds what gets packed (its cache, local or remote, decides
 * what actually runs), the native builds follow, then each deployable is packed — or, when its
 * inputs match an earlier build, reused.
 */
export async function applyBuild(
  ctx: ProjectContext,
  prepared: PreparedBuild,
  reporter: Reporter,
): Promise<BuiltArtifact[]> {
  const { plan, session, specs, shipped } = prepared;
  let nativeResults: NativeOutputRecord[] = [];
  if (plan.turbo) {
    await runTurbo(ctx, plan.turbo.command.slice(1), reporter);
    const native = await runNativeBuilds(ctx, shipped, reporter);
    session.builders = native.builders;
    nativeResults = native.results;
  }
  const results: BuiltArtifact[] = [];
  for (const spec of specs) {
    const planned = prepared.planned.get(spec.name)!;
    const deployable = plan.deployables.find((d) => d.name === spec.name)!;
    if (deployable.reuse && planned.existing) {
      const { summarize } = await import('@devkit/artifact');
      reporter.emit({
        type: 'log',
        level: 'info',
        message: `${spec.name}: inputs unchanged (${shortDigest(planned.digest)}), reusing ${planned.existing.digest}`,
      });
      results.push({ ...(await summarize(session.store, spec, planned.existing, planned.digest)), reused: true });
      continue;
    }
    const native = await nativeParts(ctx.root, spec, shipped, nativeResults);
    results.push(
      await buildDeployable(session, spec, planned, {
        native,
        ...(planned.existing ? { checkAgainst: planned.existing } : {}),
      }),
    );
  }
  return results;
}

/**
 * The workspace build, through turbo: its local cache always, its remote cache when
 * TURBO_API / TURBO_TOKEN / TURBO_TEAM are set (turbo reads them itself).
 */
async function runTurbo(ctx: ProjectContext, args: string[], reporter: Reporter): Promise<void> {
  const turbo = join(ctx.root, 'node_modules', '.bin', 'turbo');
  if (!existsSync(turbo)) {
    throw usageError('E_TURBO_MISSING', `turbo is not installed in ${ctx.root} (no node_modules/.bin/turbo)`, {
      hint: 'add turbo to the root devDependencies (`pnpm add -Dw turbo`) and run `pnpm install`',
    });
  }
  await runCommand(turbo, args, {
    cwd: ctx.root,
    env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    reporter,
    source: 'turbo',
    secrets: [ctx.env.TURBO_TOKEN ?? ''].filter(Boolean),
    failure: { code: 'E_BUILD_FAILED', exitCode: 1, hint: 'fix the build error above, then run `devkit build` again' },
  });
}

/**
 * Runs the native builds (packages/native: builder containers, verification, cache) for the
 * native packages the deployables ship. Returns the builder image IDs for the build record.
 */
async function runNativeBuilds(
  ctx: ProjectContext,
  shipped: readonly ShippedNativePackage[],
  reporter: Reporter,
): Promise<{ builders: Record<string, string>; results: NativeOutputRecord[] }> {
  if (shipped.length === 0) return { builders: {}, results: [] };
  const native = await import('@devkit/native');
  const results = await native.runNativeBuilds({
    root: ctx.root,
    config: ctx.config,
    reporter,
    env: ctx.env,
    devkitVersion: devkitVersion(),
    packages: shipped.map((s) => s.name),
  });
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw findingError(
      'E_NATIVE_FAILED',
      `native outputs failed verification: ${failed.map((r) => `${r.package} ${r.target}`).join(', ')}`,
      {
        hint: 'run `devkit native build` to see each violation, fix it, then `devkit build` again',
      },
    );
  }
  const builders: Record<string, string> = {};
  for (const r of results) builders[`${r.package} ${r.target}`] = r.image;
  return { builders, results };
}

/** One line per part of a build plan, for people (--dry-run). */
export function describeBuildPlan(plan: BuildPlan): string[] {
  const lines = [
    `commit ${plan.git.commit}${plan.git.dirty ? ' (dirty)' : ''}${plan.git.ref ? ` on ${plan.git.ref}` : ''}`,
  ];
  if (plan.git.blocks) lines.push(`  refused: ${plan.git.reason} (pass --allow-dirty to build anyway)`);
  lines.push(plan.turbo ? `turbo: ${plan.turbo.command.join(' ')}` : 'turbo: not run (every deployable is reused)');
  for (const n of plan.native)
    lines.push(`native: ${n.package} for ${n.target} in builder ${n.builder} (shipped by ${n.usedBy.join(', ')})`);
  for (const d of plan.deployables) {
    lines.push(`${d.name} (${d.deployable}): ${d.reuse ? `reuse ${d.reuse}` : 'pack'} — ${d.reason}`);
    for (const c of d.previous && !d.reuse ? d.previous.changes.slice(0, 20) : []) lines.push(`    ${c}`);
    if (d.previous && !d.reuse && d.previous.changes.length > 20)
      lines.push(`    … ${d.previous.changes.length - 20} more (\`devkit why\`)`);
    if (!d.reuse)
      for (const l of d.layers)
        lines.push(`  layer ${l.part}${l.entries === null ? '' : ` (${l.entries} entries)`}: ${l.source}`);
  }
  return lines;
}
