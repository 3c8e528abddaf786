import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildDeployable,
  builderIdentity,
  digestOf,
  findMissingOutputs,
  insideCheckout,
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
import { devkitVersion, openProjectStore, storeRoot } from '../handlers/artifact-common.js';
import { planTurboRun, runTurbo, type TurboRunPlan } from './turbo.js';

/** What `devkit build` will do, as plain data: printed by --dry-run, carried out by applyBuild. */
export interface BuildPlan {
  store: string;
  /** The checkout, and whether its uncommitted changes block the build (and why). */
  git: GitState & { blocks: boolean; reason: string | null };
  /** The workspace build through turbo (which turbo, which config); null when every deployable is reused. */
  turbo: TurboRunPlan | null;
  /** devkit's own folders that .gitignore does not list (they never count as changes; a clone is tidier with them listed). */
  unignored: string[];
  /** Native packages some deployable ships, per target and builder; built only when something is packed. */
  native: Array<{
    package: string;
    target: string;
    builder: string;
    usedBy: string[];
    /** The dependencies copied into the builder's node_modules, with their versions. */
    dependencies: Array<{ name: string; version: string }>;
  }>;
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
  const store = storeRoot(ctx);
  const ownStore = insideCheckout(ctx.root, store);
  const git = await readGitState(ctx.root, { exclude: ownStore ? [ownStore] : [] });
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
  const specs = await resolveDeployables(ctx.root, dirs);
  const unignored = await unignoredOwnFolders(ctx.root, specs);
  const session: BuildSession = {
    root: ctx.root,
    store: await openProjectStore(ctx, { create: options.forApply }),
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
  // --check-reproducible really rebuilds: turbo runs every task instead of replaying its cache.
  const turbo = packed.length
    ? await planTurboRun(ctx.root, packed, { force: options.checkReproducible, pnpmVersion: session.toolchain.pnpm })
    : null;
  return {
    plan: {
      store: session.store.root,
      git: { ...git, blocks, reason: blockedReason },
      turbo,
      unignored,
      native,
      deployables,
    },
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
    dependencies: b.dependencies.map(({ name, version }) => ({ name, version })),
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
  if (plan.unignored.length > 0) {
    reporter.emit({
      type: 'log',
      level: 'warn',
      message: `.gitignore does not list ${plan.unignored.join(', ')}: devkit and turbo write there (the build ignores them, but git status and other tools will not); add them to .gitignore (\`devkit init\` does)`,
    });
  }
  let nativeResults: NativeOutputRecord[] = [];
  if (plan.turbo) {
    if (!plan.turbo.packageManager.declared) {
      reporter.emit({
        type: 'log',
        level: 'info',
        message: `package.json declares no packageManager: turbo infers pnpm from pnpm-lock.yaml; to pin it, \`pnpm pkg set packageManager=pnpm@${session.toolchain.pnpm ?? '<version>'}\``,
      });
    }
    await runTurbo(ctx.root, plan.turbo, ctx.env, reporter);
    await checkOutputs(
      ctx.root,
      specs.filter((s) => !plan.deployables.find((d) => d.name === s.name)?.reuse),
    );
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
 * After turbo: a packed deployable whose build ran but whose declared outputs match no file is
 * refused (exit 1, like a failed build): its artifact would ship without the build's output.
 */
async function checkOutputs(root: string, packed: readonly DeployableSpec[]): Promise<void> {
  const missing = await findMissingOutputs(root, packed);
  if (missing.length === 0) return;
  const lines = missing.map(
    (m) =>
      `${m.name} (${m.deployable}): outputs ${JSON.stringify(m.outputs)} from ${m.source} match no file after its build`,
  );
  const first = missing[0]!;
  throw findingError('E_OUTPUTS_EMPTY', lines.join('\n'), {
    hint: first.inferred
      ? `make the build write to one of those folders, or declare where it writes: a turbo.json at the root, e.g. {"tasks":{"build":{"dependsOn":["^build"],"outputs":["out/**"]}}}`
      : `make the build write what ${first.source} names, or correct that list (a package can override it in ${first.deployable}/turbo.json: {"extends":["//"],"tasks":{"build":{"outputs":["out/**"]}}})`,
    details: { missing },
  });
}

/** devkit's own folders (.devkit/, .turbo/ at the root and in each deployable) that git does not ignore. */
async function unignoredOwnFolders(root: string, specs: readonly DeployableSpec[]): Promise<string[]> {
  const folders = ['.devkit/', '.turbo/', ...specs.map((s) => `${s.dir}/.turbo/`)];
  // check-ignore answers for paths that need not exist; a probe file inside stands for the folder.
  // Exit 1 means none is ignored.
  const { stdout } = await runCommand('git', ['check-ignore', '--', ...folders.map((f) => `${f}x`)], {
    cwd: root,
    engine: 'node',
    reject: false,
  });
  const ignored = new Set(stdout.split('\n').map((l) => l.trim().replace(/x$/, '')));
  const missing = folders.filter((f) => !ignored.has(f));
  // A deployable's .turbo/ counts once, as .turbo/, when the root one is missing too.
  return missing.filter((f) => f === '.devkit/' || f === '.turbo/' || !missing.includes('.turbo/'));
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
  if (plan.turbo) {
    const t = plan.turbo;
    lines.push(
      `  turbo ${t.turbo.version ?? '(version unknown)'}: ${t.turbo.source === 'repo' ? "the repo's own (node_modules/.bin/turbo)" : "devkit's own (the repo has no turbo)"}`,
    );
    lines.push(
      t.config.generated
        ? `  config: devkit's default pipeline, ${t.config.path} (no turbo.json): build after ^build, outputs ${(t.defaultPipeline?.tasks?.build?.outputs ?? []).join(' ')}`
        : `  config: ${t.config.path}`,
    );
    if (!t.packageManager.declared)
      lines.push('  package.json declares no packageManager: turbo infers pnpm from pnpm-lock.yaml');
  }
  if (plan.unignored.length > 0)
    lines.push(`  .gitignore does not list ${plan.unignored.join(', ')} (devkit init adds them)`);
  for (const n of plan.native)
    lines.push(
      `native: ${n.package} for ${n.target} in builder ${n.builder} (shipped by ${n.usedBy.join(', ')})${n.dependencies.length > 0 ? ` with ${n.dependencies.map((d) => `${d.name}@${d.version}`).join(', ')}` : ''}`,
    );
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
