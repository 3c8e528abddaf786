import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, relative } from 'node:path';
import {
  digestParts,
  DevkitError,
  findingError,
  usageError,
  withProgress,
  writeFileAtomic,
  type Reporter,
} from '@devkit/core';
import type { DevkitConfig } from '@devkit/config';
import type Docker from 'dockerode';
import { parseBinary } from './binary.js';
import { runBatch, type BatchJobResult } from './batch.js';
import { resolveBuildDependencies, type BuildDependency } from './dependencies.js';
import { builderMounts } from './zig-cache.js';
import { removeOrphanedContainers } from './container.js';
import { createDockerClient, ensureEngine, isConnectionError, noEngineError, type DockerClient } from './docker.js';
import { ensureBuilderImage, loadBuilders, pickBuilder, readImageRecords, type ImageRecord } from './images.js';
import { verifyBinary, type MeasuredFloor, type PolicyViolation } from './policy.js';
import { listFiles, type TarEntry } from './tar.js';
import { applyImageFloor, packageTargetNames, resolveTarget, type TargetSpec } from './targets.js';
import { findPackageDir } from './workspace.js';

/** 1980-01-01: the default SOURCE_DATE_EPOCH (the oldest time zip can store), fixed so builds repeat. */
export const DEFAULT_SOURCE_DATE_EPOCH = 315532800;
const LOG_TAIL = 25;

export interface NativeBuildOptions {
  root: string;
  config: DevkitConfig;
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  devkitVersion: string;
  packages?: string[] | undefined;
  targets?: string[] | undefined;
  /** Parallel builds; default: the core count. */
  concurrency?: number | undefined;
  /** An engine client; by default one for DOCKER_HOST or the local socket, made only on a cache miss. */
  docker?: DockerClient | undefined;
  /** Aborting it stops the builds: their containers are removed and the run rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** One package × target to build, with everything its cache key covers. */
export interface PlannedBuild {
  packageName: string;
  packageDir: string;
  command: string;
  outputs: string[];
  target: TargetSpec;
  /** The package's own files, then its build dependencies' under node_modules/<name>/. */
  files: Array<TarEntry & { sha256: string }>;
  /** The dependencies copied into the builder's node_modules (their files are in `files`). */
  dependencies: BuildDependency[];
  /** Build helpers the package declares that are not installed (left out; `native build` warns). */
  missingHelpers?: string[] | undefined;
}

export interface BuiltOutput {
  /** Where it landed, relative to the repo root. */
  path: string;
  kind: 'addon' | 'library';
  sha256: string;
  size: number;
  format: string;
  floor: MeasuredFloor;
  violations: PolicyViolation[];
}

export interface BuildResult {
  package: string;
  target: string;
  key: string;
  image: string;
  cached: boolean;
  ok: boolean;
  durationMs: number;
  outputs: BuiltOutput[];
  timings: BuildTimings;
  /** The build dependencies that came into the builder, with their versions. */
  dependencies: Array<Pick<BuildDependency, 'name' | 'version'>>;
}

/**
 * Where a build's time went, in ms (`--json`; bench/native.mjs prints them). `plan` is the run's
 * (config, package files hashed); `inspect` the check of the builder image, once per builder and
 * run; `create` to `remove` are the container's, shared by every package built in it; `build` is
 * this package's build command alone, measured in the container.
 */
export interface BuildTimings {
  plan: number;
  inspect?: number | undefined;
  create?: number | undefined;
  start?: number | undefined;
  upload?: number | undefined;
  builds?: number | undefined;
  build?: number | undefined;
  download?: number | undefined;
  remove?: number | undefined;
  verify?: number | undefined;
  cache?: number | undefined;
  install?: number | undefined;
}

interface CacheManifest {
  key: string;
  image: string;
  /** Which package × target the entry is for: `native gc` keeps the newest entries of each. */
  package: string;
  target: string;
  files: Array<{ name: string; sha256: string }>;
}

async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/**
 * Resolves what to build: the packages and targets asked for, each checked against the config
 * (an unknown name is exit 2 with the valid ones), and the input files of each package.
 */
export async function planNativeBuilds(
  options: Pick<NativeBuildOptions, 'root' | 'config' | 'env' | 'packages' | 'targets'>,
): Promise<PlannedBuild[]> {
  const { root, config } = options;
  const configured = config.native?.packages ?? {};
  const names = Object.keys(configured).sort();
  if (names.length === 0) {
    throw usageError('E_NATIVE_NO_PACKAGES', 'devkit.json lists no native packages', {
      hint: 'add one under native.packages, e.g. { "@acme/fastdiff": { "build": "make", "outputs": ["build/*.node"] } }',
    });
  }
  for (const p of options.packages ?? []) {
    if (!configured[p])
      throw usageError('E_NATIVE_UNKNOWN_PACKAGE', `"${p}" is not a native package in devkit.json`, {
        hint: `use one of: ${names.join(', ')}`,
        details: { valid: names },
      });
  }
  const epoch = Number(options.env.SOURCE_DATE_EPOCH ?? DEFAULT_SOURCE_DATE_EPOCH);
  const builders = await loadBuilders(root, config);
  const plans: PlannedBuild[] = [];
  for (const name of options.packages ?? names) {
    const spec = configured[name]!;
    const dir = await findPackageDir(root, name, spec.path);
    const deps = await resolveBuildDependencies({
      root,
      packageName: name,
      packageDir: dir,
      configured: spec.dependencies,
    });
    const files = await Promise.all(
      [...(await listFiles(dir)), ...deps.files].map(async (f) => ({ ...f, sha256: await sha256File(f.source) })),
    );
    const targetNames = options.targets ?? packageTargetNames(config, name);
    for (const t of targetNames) {
      const target = resolveTarget(t, config, epoch, name);
      pickBuilder(builders, target.builder);
      plans.push({
        packageName: name,
        packageDir: dir,
        command: spec.build,
        outputs: spec.outputs,
        target,
        files,
        dependencies: deps.dependencies,
        missingHelpers: deps.missing,
      });
    }
  }
  return plans;
}

/**
 * Settles each floor against its builder image (see applyImageFloor: a gcc builder's Linux floor
 * is its own glibc unless devkit.json sets one; a floor outside what the builder gives is exit 2).
 * Applied once the images are known and before any key is computed (`native gc` predicts the
 * keys a build would use).
 */
export function applyBuilderFloors(
  plans: PlannedBuild[],
  images: ReadonlyMap<string, Pick<ImageRecord, 'glibc' | 'zig'>>,
  _config: DevkitConfig,
): void {
  for (const plan of plans) applyImageFloor(plan.target, images.get(plan.target.builder));
}

/** The cache key: every input that can change the bytes of the outputs. */
export function buildKey(plan: PlannedBuild, imageId: string, devkitVersion: string): string {
  return digestParts([
    ['devkit', devkitVersion],
    ['image', imageId],
    ['command', plan.command],
    ['outputs', plan.outputs.join('\n')],
    ['target', JSON.stringify({ ...plan.target, env: Object.entries(plan.target.env).sort() })],
    ...plan.files.map((f) => [`file:${f.name}`, f.sha256] as const),
  ]);
}

/** Where an output goes: `.node` addons in the node-gyp-build layout, the rest under dist/native/<target>/. */
export function outputDestination(plan: PlannedBuild, file: string): { path: string; kind: BuiltOutput['kind'] } {
  const t = plan.target;
  if (file.endsWith('.node')) {
    const tags = ['napi', ...(t.platform === 'linux' ? [t.libc === 'musl' ? 'musl' : 'glibc'] : [])];
    return {
      path: join(
        plan.packageDir,
        'prebuilds',
        `${t.platform}-${t.arch}`,
        `${basename(file, '.node')}.${tags.join('.')}.node`,
      ),
      kind: 'addon',
    };
  }
  return { path: join(plan.packageDir, 'dist', 'native', t.name, file), kind: 'library' };
}

function cacheDir(root: string, key: string): string {
  return join(root, '.devkit', 'cache', 'native', key);
}

async function verifyOutputs(root: string, plan: PlannedBuild, dir: string, names: string[]): Promise<BuiltOutput[]> {
  const outputs: BuiltOutput[] = [];
  for (const name of names) {
    const bytes = await readFile(join(dir, name));
    const dest = outputDestination(plan, name);
    let format = 'unknown';
    let floor: MeasuredFloor = {};
    let violations: PolicyViolation[];
    try {
      const report = verifyBinary(parseBinary(bytes), plan.target);
      format = report.format;
      floor = report.floor;
      violations = report.violations;
    } catch (error) {
      violations = [{ rule: 'format', message: `${name}: ${(error as Error).message}` }];
    }
    outputs.push({
      path: relative(root, dest.path),
      kind: dest.kind,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      format,
      floor,
      violations,
    });
  }
  return outputs;
}

/** Copies verified outputs to their places and writes the per-target manifest with each floor. */
async function installOutputs(
  root: string,
  plan: PlannedBuild,
  dir: string,
  names: string[],
  result: Omit<BuildResult, 'durationMs'>,
): Promise<void> {
  for (const name of names) {
    const dest = outputDestination(plan, name).path;
    await mkdir(join(dest, '..'), { recursive: true });
    const tmp = `${dest}.${process.pid}.tmp`;
    await copyFile(join(dir, name), tmp);
    await rename(tmp, dest);
  }
  const manifest = {
    package: result.package,
    target: result.target,
    key: result.key,
    image: result.image,
    // The floors the outputs were held to, and how C++ code gets its runtime (zig: libc++ linked in).
    floors: {
      libc: plan.target.libc ?? null,
      glibc: plan.target.glibc ?? null,
      macos: plan.target.macos ?? null,
      zigTarget: plan.target.zigTarget ?? null,
      cxxRuntime: plan.target.cxxRuntime,
    },
    outputs: result.outputs.map((o) => ({
      path: relative(plan.packageDir, join(root, o.path)),
      sha256: o.sha256,
      size: o.size,
      format: o.format,
      floor: o.floor,
    })),
  };
  await writeFileAtomic(
    join(plan.packageDir, 'dist', 'native', plan.target.name, 'manifest.json'),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
}

/** Staging folders (`<key>.<pid>.tmp`) of runs that were killed: their pid no longer runs. */
async function removeStaleStaging(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const name of await readdir(dir)) {
    const m = /^[0-9a-f]{64}\.(\d+)\.tmp$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let running = pid === process.pid;
    if (!running) {
      try {
        process.kill(pid, 0);
        running = true;
      } catch (error) {
        running = (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (!running) await rm(join(dir, name), { recursive: true, force: true });
  }
}

/** The output names of a cache entry whose files all match their digests; undefined for a miss. */
async function readCacheEntry(dir: string): Promise<string[] | undefined> {
  if (!existsSync(join(dir, 'manifest.json'))) return undefined;
  let manifest: CacheManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as CacheManifest;
    if (!Array.isArray(manifest.files)) return undefined;
  } catch {
    return undefined;
  }
  for (const f of manifest.files) {
    const path = join(dir, 'files', f.name);
    // A damaged entry is a miss: it is rebuilt and replaced, never served.
    if (!existsSync(path) || (await sha256File(path)) !== f.sha256) return undefined;
  }
  return manifest.files.map((f) => f.name);
}

async function runPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failed) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  // Every worker has stopped (and queued its container's removal) before the pool settles.
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** The engine's answer to creating a container of an image it does not have. */
function isMissingImage(error: unknown): boolean {
  const e = error as { statusCode?: number; message?: string } | null;
  return e?.statusCode === 404 && /no such image/i.test(e.message ?? '');
}

/**
 * Builds every planned package × target: a cache hit copies the outputs from .devkit/cache/native
 * and starts no container; the misses of a target build in one container of its builder (pinned
 * by image ID, network off, sources in and outputs out as one archive each, see batch.ts), and
 * each package's outputs are verified, cached and installed.
 */
export async function runNativeBuilds(options: NativeBuildOptions): Promise<BuildResult[]> {
  const { root, reporter, env } = options;
  const planStarted = performance.now();
  const plans = await planNativeBuilds(options);
  const planMs = round(performance.now() - planStarted);
  for (const plan of new Map(plans.map((p) => [p.packageName, p])).values()) {
    if (!plan.missingHelpers?.length) continue;
    reporter.emit({
      type: 'log',
      level: 'warn',
      message: `${plan.packageName} declares ${plan.missingHelpers.join(', ')} (build helpers) but they are not installed, so its builds go without them; to bring them in, run: pnpm install`,
    });
  }
  const records = await readImageRecords(root);
  let docker = options.docker;
  // Builds skip a separate ping: a missing engine shows on the first real call (see below).
  let reaped: Promise<void> | undefined;
  const client = (): DockerClient => {
    docker ??= createDockerClient(env);
    // Once per run, and only when a build needs the engine: containers of killed runs go first.
    reaped ??= removeOrphanedContainers(docker).then(
      (n) => {
        if (n > 0)
          reporter.emit({
            type: 'log',
            level: 'info',
            message: `removed ${n} build container(s) left by a killed devkit run`,
          });
      },
      () => undefined,
    );
    return docker;
  };
  const engine = async (): Promise<DockerClient> => {
    await ensureEngine(client(), env);
    return client();
  };
  // Images are pinned by the ID recorded when they were built; a builder never built here is built first.
  const images = new Map<string, ImageRecord>();
  const madeNow = new Set<string>();
  const builders = await loadBuilders(root, options.config);
  for (const name of new Set(plans.map((p) => p.target.builder))) {
    const record = records[name];
    if (record) images.set(name, record);
    else {
      madeNow.add(name);
      images.set(
        name,
        (
          await ensureBuilderImage(await engine(), pickBuilder(builders, name), {
            root,
            config: options.config,
            reporter,
            env,
            signal: options.signal,
          })
        ).record,
      );
    }
  }

  applyBuilderFloors(plans, images, options.config);

  const cacheRoot = join(root, '.devkit', 'cache', 'native');
  await removeStaleStaging(cacheRoot);
  const results: BuildResult[] = [];
  const failures: DevkitError[] = [];
  const removals: Array<Promise<unknown>> = [];
  const multiplePackages = new Set(plans.map((p) => p.packageName)).size > 1;
  const sourceOf = (plan: PlannedBuild) =>
    multiplePackages ? `${plan.packageName} ${plan.target.name}` : plan.target.name;
  // A recorded image can have been removed since (docker image prune). It is looked for only
  // when a container of it cannot be created (see below), once per builder and run, and, when
  // gone, found again by its inputs or rebuilt.
  const live = new Map<string, Promise<{ record: ImageRecord; inspectMs: number }>>();
  // The mounts of each image's containers (a zig builder's cache volume): made once per run.
  const mountsOf = new Map<string, Promise<Docker.MountSettings[]>>();
  const liveImage = (builder: string): Promise<{ record: ImageRecord; inspectMs: number }> => {
    let pending = live.get(builder);
    if (!pending) {
      pending = (async () => {
        const record = images.get(builder)!;
        if (madeNow.has(builder)) return { record, inspectMs: 0 };
        const started = performance.now();
        try {
          await client().getImage(record.id).inspect();
          return { record, inspectMs: performance.now() - started };
        } catch (error) {
          if (isConnectionError(error)) throw noEngineError(env, error);
          if ((error as { statusCode?: number }).statusCode !== 404) throw error;
          reporter.emit({
            type: 'log',
            level: 'warn',
            message: `builder image ${record.id.slice(7, 19)} (${builder}) is gone; making it again`,
          });
          const fresh = (
            await ensureBuilderImage(await engine(), pickBuilder(builders, builder), {
              root,
              config: options.config,
              reporter,
              env,
              signal: options.signal,
            })
          ).record;
          images.set(builder, fresh);
          return { record: fresh, inspectMs: performance.now() - started };
        }
      })();
      live.set(builder, pending);
    }
    return pending;
  };

  /** Verifies and installs the outputs of a cache entry (a hit, or one just made) and records the result. */
  const install = async (
    plan: PlannedBuild,
    imageId: string,
    key: string,
    names: string[],
    hit: boolean,
    started: number,
    timings: BuildTimings,
    verified?: BuiltOutput[],
  ): Promise<void> => {
    const cached = cacheDir(root, key);
    let mark = performance.now();
    const outputs = verified ?? (await verifyOutputs(root, plan, join(cached, 'files'), names));
    if (!verified) timings.verify = round(performance.now() - mark);
    const result: BuildResult = {
      package: plan.packageName,
      target: plan.target.name,
      key,
      image: imageId,
      cached: hit,
      ok: outputs.every((o) => o.violations.length === 0),
      durationMs: 0,
      outputs,
      timings,
      dependencies: plan.dependencies.map(({ name, version }) => ({ name, version })),
    };
    mark = performance.now();
    await installOutputs(root, plan, join(cached, 'files'), names, result);
    timings.install = round(performance.now() - mark);
    result.durationMs = performance.now() - started;
    reporter.emit({
      type: 'step:end',
      id: `native:${plan.packageName}:${plan.target.name}`,
      title: sourceOf(plan),
      status: hit ? 'skipped' : 'done',
      durationMs: result.durationMs,
      detail: hit ? 'cache hit' : `${names.length} output(s) verified`,
    });
    results.push(result);
  };
  const collect = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      if (error instanceof DevkitError) failures.push(error);
      else throw error;
    }
  };

  // Hits first, with the recorded image: they need no engine (a run where nothing changed starts
  // no container and makes no engine call).
  const misses: PlannedBuild[] = [];
  await Promise.all(
    plans.map((plan) =>
      collect(async () => {
        const started = performance.now();
        const image = images.get(plan.target.builder)!;
        const key = buildKey(plan, image.id, options.devkitVersion);
        const names = await readCacheEntry(cacheDir(root, key));
        if (names === undefined) misses.push(plan);
        else await install(plan, image.id, key, names, true, started, { plan: planMs });
      }),
    ),
  );

  // One container per target (and builder image, and build environment) builds all its packages
  // in turn: a target costs one create, start and removal, one archive in and one out, whatever
  // the number of packages.
  const groups = new Map<string, PlannedBuild[]>();
  for (const plan of misses.sort((a, b) => (a.packageName < b.packageName ? -1 : 1))) {
    const id = JSON.stringify([plan.target.name, plan.target.builder, Object.entries(plan.target.env).sort()]);
    groups.set(id, [...(groups.get(id) ?? []), plan]);
  }
  // Longest first packs the pool best: Linux builds (node-gyp, two compilers) before macOS ones,
  // then the containers with the most packages.
  const order = [...groups.values()].sort(
    (a, b) =>
      Number(b[0]!.target.platform === 'linux') - Number(a[0]!.target.platform === 'linux') || b.length - a.length,
  );
  const pool = runPool(order, options.concurrency ?? availableParallelism(), (group) =>
    collect(async () => {
      options.signal?.throwIfAborted();
      const target = group[0]!.target;
      // The recorded image is used without a separate check: a container of an image that is gone
      // cannot be created (404), and only then is the image looked for, and the group run again.
      try {
        await buildGroup(group, images.get(target.builder)!, undefined);
      } catch (error) {
        if (!isMissingImage(error)) throw error;
        const { record, inspectMs } = await liveImage(target.builder);
        await buildGroup(group, record, inspectMs);
      }
    }),
  );

  /** Builds one group of misses in one container of `image`. */
  async function buildGroup(group: PlannedBuild[], image: ImageRecord, inspectMs: number | undefined): Promise<void> {
    const started = performance.now();
    const target = group[0]!.target;
    // Keyed again with the image: one found again by its inputs may have entries already.
    const todo: Array<{ plan: PlannedBuild; key: string }> = [];
    for (const plan of group) {
      const key = buildKey(plan, image.id, options.devkitVersion);
      const names = await readCacheEntry(cacheDir(root, key));
      if (names === undefined) todo.push({ plan, key });
      else await install(plan, image.id, key, names, true, started, { plan: planMs, inspect: inspectMs });
    }
    if (todo.length === 0) return;
    // The container's outputs land in one staging folder (named like an entry's, so that a
    // killed run's is removed as theirs are), then move into each package's entry.
    const batchStaging = join(cacheRoot, `${digestParts(todo.map((t) => ['key', t.key] as const))}.${process.pid}.tmp`);
    await rm(batchStaging, { recursive: true, force: true });
    await mkdir(batchStaging, { recursive: true });
    try {
      const single = todo.length === 1 ? todo[0]!.plan : undefined;
      const phase = single
        ? {
            id: `native:${single.packageName}:${target.name}`,
            title: `native build of ${single.packageName} for ${target.name} in builder ${target.builder}`,
          }
        : {
            id: `native:${target.name}`,
            title: `native builds of ${todo.length} packages for ${target.name} in builder ${target.builder}`,
          };
      // A zig builder's cache volume (libc++ per target) is mounted; a gcc builder gets none.
      let mounts = mountsOf.get(image.id);
      if (!mounts) mountsOf.set(image.id, (mounts = builderMounts(client(), image, env)));
      const containerMounts = await mounts.catch((error: unknown) => {
        throw isConnectionError(error) ? noEngineError(env, error) : error;
      });
      const batch = await withProgress(reporter, phase, () =>
        runBatch(client(), {
          image: image.id,
          env: { HOME: '/root', ...target.env },
          mounts: containerMounts,
          labels: { 'devkit.package': todo.map((t) => t.plan.packageName).join(','), 'devkit.target': target.name },
          jobs: todo.map(({ plan }) => ({ files: plan.files, command: plan.command, outputs: plan.outputs })),
          mtime: new Date(Number(target.env.SOURCE_DATE_EPOCH) * 1000),
          staging: batchStaging,
          onLine: (job, stream, line) =>
            reporter.emit({
              type: 'output',
              source: job >= 0 ? sourceOf(todo[job]!.plan) : target.name,
              stream,
              line,
            }),
          removals,
          signal: options.signal,
          logTail: LOG_TAIL,
        }),
      ).catch((error: unknown) => {
        throw isConnectionError(error) ? noEngineError(env, error) : error;
      });
      const shared = {
        plan: planMs,
        inspect: inspectMs === undefined ? undefined : round(inspectMs),
        ...batch.timings,
      };
      const timed: BuildTimings[] = [];
      void batch.removal.then((ms) => {
        for (const t of timed) t.remove = ms;
      });
      // One package failing does not hide the others: each is judged, cached and installed on its own.
      for (const [i, { plan, key }] of todo.entries()) {
        const job = batch.jobs[i]!;
        const timings: BuildTimings = { ...shared, build: job.buildMs };
        timed.push(timings);
        await collect(() =>
          finishJob(plan, key, job, batch.exitCode === 0 ? undefined : { exitCode: batch.exitCode, tail: batch.tail }, {
            started,
            timings,
          }),
        );
      }
    } finally {
      await rm(batchStaging, { recursive: true, force: true });
    }
  }

  /** Judges one job of a container: its failure, or its outputs verified, cached and installed. */
  async function finishJob(
    plan: PlannedBuild,
    key: string,
    job: BatchJobResult,
    broken: { exitCode: number; tail: string[] } | undefined,
    at: { started: number; timings: BuildTimings },
  ): Promise<void> {
    const where = `${plan.packageName} for ${plan.target.name}`;
    const retry = `devkit native build --package ${plan.packageName} --target ${plan.target.name}`;
    if (job.exitCode === undefined) {
      const tail = broken?.tail ?? [];
      throw findingError(
        'E_NATIVE_BUILD_FAILED',
        `${where}: the builder container ended with code ${broken?.exitCode ?? 'unknown'} before the build finished${tail.length > 0 ? `; last lines of its log:\n${tail.join('\n')}` : ''}`,
        {
          hint: `check that builder ${plan.target.builder} has sh, tar and coreutils, then run: ${retry}`,
          details: { package: plan.packageName, target: plan.target.name, exitCode: broken?.exitCode, log: tail },
        },
      );
    }
    if (job.exitCode !== 0) {
      throw findingError(
        'E_NATIVE_BUILD_FAILED',
        `${where}: \`${plan.command}\` exited with code ${job.exitCode}; last lines of its log:\n${job.tail.join('\n')}`,
        {
          hint: `fix the build, then run: ${retry}`,
          details: { package: plan.packageName, target: plan.target.name, exitCode: job.exitCode, log: job.tail },
        },
      );
    }
    if (job.files.length === 0) {
      throw findingError(
        'E_NATIVE_NO_OUTPUTS',
        `${where}: the build produced no file matching ${plan.outputs.join(', ')}`,
        {
          hint: `check native.packages["${plan.packageName}"].outputs in devkit.json (globs relative to the package folder)`,
        },
      );
    }
    const { timings } = at;
    const cached = cacheDir(root, key);
    const staging = `${cached}.${process.pid}.tmp`;
    const imageId = images.get(plan.target.builder)!.id;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    try {
      await rename(job.dir, join(staging, 'files'));
      let mark = performance.now();
      const outputs = await verifyOutputs(root, plan, join(staging, 'files'), job.files);
      timings.verify = round(performance.now() - mark);
      if (!outputs.every((o) => o.violations.length === 0)) {
        results.push({
          package: plan.packageName,
          target: plan.target.name,
          key,
          image: imageId,
          cached: false,
          ok: false,
          durationMs: performance.now() - at.started,
          outputs,
          timings,
          dependencies: plan.dependencies.map(({ name, version }) => ({ name, version })),
        });
        return;
      }
      mark = performance.now();
      const manifest: CacheManifest = {
        key,
        image: imageId,
        package: plan.packageName,
        target: plan.target.name,
        files: outputs.map((o, i) => ({ name: job.files[i]!, sha256: o.sha256 })),
      };
      await writeFileAtomic(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await rm(cached, { recursive: true, force: true });
      await rename(staging, cached);
      timings.cache = round(performance.now() - mark);
      await install(plan, imageId, key, job.files, false, at.started, timings, outputs);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  try {
    await pool;
  } finally {
    // Every container is gone before devkit returns, whatever happened.
    await Promise.all([...removals, reaped]);
  }
  if (failures.length > 0) {
    if (failures.length === 1) throw failures[0]!;
    const worst = failures.find((f) => f.exitCode !== 1) ?? failures[0]!;
    throw new DevkitError(worst.code, worst.exitCode, [...new Set(failures.map((f) => f.message))].join('\n\n'), {
      hint: worst.hint,
      details: { failures: failures.map((f) => f.toJSON()) },
    });
  }
  return results.sort((a, b) => (a.package + a.target < b.package + b.target ? -1 : 1));
}

/** Lists what the native cache holds (for `--json` summaries and tests). */
export async function listCachedKeys(root: string): Promise<string[]> {
  const dir = join(root, '.devkit', 'cache', 'native');
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((n) => /^[0-9a-f]{64}$/.test(n)).sort();
}
