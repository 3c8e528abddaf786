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
import { parseBinary } from './binary.js';
import { execInContainer, removeOrphanedContainers, withContainer } from './container.js';
import { createDockerClient, ensureEngine, isConnectionError, noEngineError, type DockerClient } from './docker.js';
import { ensureBuilderImage, loadBuilders, pickBuilder, readImageRecords, type ImageRecord } from './images.js';
import { verifyBinary, type MeasuredFloor, type PolicyViolation } from './policy.js';
import { extractRegularFiles, listFiles, packEntries, type TarEntry } from './tar.js';
import { CONTAINER_SOURCE_DIR, packageTargetNames, resolveTarget, type TargetSpec } from './targets.js';
import { findPackageDir } from './workspace.js';

/** 1980-01-01: the default SOURCE_DATE_EPOCH (the oldest time zip can store), fixed so builds repeat. */
export const DEFAULT_SOURCE_DATE_EPOCH = 315532800;
const LOG_TAIL = 25;
const NO_OUTPUTS = 222;
const NO_OUTPUTS_LINE = 'devkit: no output matched';
const COLLECTING_BUILD = [
  'sh -c "$DEVKIT_BUILD" || exit $?',
  'rm -rf /devkit-out && mkdir /devkit-out && n=0',
  'for f in $DEVKIT_OUTPUTS; do if [ -f "$f" ]; then cp "$f" /devkit-out/ && n=$((n+1)); fi; done',
  `[ "$n" -gt 0 ] || { echo '${NO_OUTPUTS_LINE}' >&2; exit ${NO_OUTPUTS}; }`,
].join('\n');

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
  files: Array<TarEntry & { sha256: string }>;
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
    const files = await Promise.all(
      (await listFiles(dir)).map(async (f) => ({ ...f, sha256: await sha256File(f.source) })),
    );
    const targetNames = options.targets ?? packageTargetNames(config, name);
    for (const t of targetNames) {
      const target = resolveTarget(t, config, epoch);
      pickBuilder(builders, target.builder);
      plans.push({ packageName: name, packageDir: dir, command: spec.build, outputs: spec.outputs, target, files });
    }
  }
  return plans;
}

/**
 * The Linux floor is the builder's own glibc unless devkit.json sets one. Applied once the images
 * are known and before any key is computed (`native gc` predicts the keys a build would use).
 */
export function applyBuilderFloors(
  plans: PlannedBuild[],
  images: ReadonlyMap<string, Pick<ImageRecord, 'glibc'>>,
  config: DevkitConfig,
): void {
  for (const plan of plans) {
    const measured = images.get(plan.target.builder)?.glibc;
    if (plan.target.platform === 'linux' && measured && config.native?.targets?.[plan.target.name]?.glibc === undefined)
      plan.target.glibc = measured;
  }
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

/** Runs one build in a fresh container and returns the staged output names (in `staging`). */
async function buildInContainer(
  docker: DockerClient,
  plan: PlannedBuild,
  image: string,
  staging: string,
  reporter: Reporter,
  source: string,
  removals: Array<Promise<void>>,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const tail: string[] = [];
  const mtime = new Date(Number(plan.target.env.SOURCE_DATE_EPOCH) * 1000);
  return withContainer(
    docker,
    { image, labels: { 'devkit.package': plan.packageName, 'devkit.target': plan.target.name }, removals, signal },
    async (container) => {
      await container.putArchive(packEntries(plan.files, { mtime }), { path: CONTAINER_SOURCE_DIR });
      const onLine = (stream: 'stdout' | 'stderr', line: string) => {
        tail.push(line);
        if (tail.length > LOG_TAIL) tail.shift();
        reporter.emit({ type: 'output', source, stream, line });
      };
      // One exec runs the build and then gathers its outputs (the shell expands the globs), so they
      // come out in one archive; a build that fails exits with its own code before that.
      const env = {
        HOME: '/root',
        ...plan.target.env,
        DEVKIT_BUILD: plan.command,
        DEVKIT_OUTPUTS: plan.outputs.join(' '),
      };
      const { exitCode } = await execInContainer(docker, container, ['sh', '-c', COLLECTING_BUILD], {
        env,
        workdir: CONTAINER_SOURCE_DIR,
        onLine,
      });
      if (exitCode === NO_OUTPUTS && tail.at(-1) === NO_OUTPUTS_LINE) {
        throw findingError(
          'E_NATIVE_NO_OUTPUTS',
          `${plan.packageName} for ${plan.target.name}: the build produced no file matching ${plan.outputs.join(', ')}`,
          {
            hint: `check native.packages["${plan.packageName}"].outputs in devkit.json (globs relative to the package folder)`,
          },
        );
      }
      if (exitCode !== 0) {
        throw findingError(
          'E_NATIVE_BUILD_FAILED',
          `${plan.packageName} for ${plan.target.name}: \`${plan.command}\` exited with code ${exitCode}; last lines of its log:\n${tail.join('\n')}`,
          {
            hint: `fix the build, then run: devkit native build --package ${plan.packageName} --target ${plan.target.name}`,
            details: { package: plan.packageName, target: plan.target.name, exitCode, log: tail },
          },
        );
      }
      const archive = (await container.getArchive({ path: '/devkit-out' })) as unknown as NodeJS.ReadableStream;
      return extractRegularFiles(archive as never, staging, 1);
    },
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
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as CacheManifest;
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

/**
 * Builds every planned package × target: a cache hit copies the outputs from .devkit/cache/native
 * and starts no container; a miss builds in the target's builder (pinned by image ID, network
 * off, sources and outputs through the archive API), verifies, caches and installs the outputs.
 */
export async function runNativeBuilds(options: NativeBuildOptions): Promise<BuildResult[]> {
  const { root, reporter, env } = options;
  const plans = await planNativeBuilds(options);
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
  const builders = await loadBuilders(root, options.config);
  for (const name of new Set(plans.map((p) => p.target.builder))) {
    const record = records[name];
    if (record) images.set(name, record);
    else {
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

  await removeStaleStaging(join(root, '.devkit', 'cache', 'native'));
  const results: BuildResult[] = [];
  const failures: DevkitError[] = [];
  const removals: Array<Promise<void>> = [];
  const multiplePackages = new Set(plans.map((p) => p.packageName)).size > 1;
  // A recorded image can have been removed since (docker image prune): on a cache miss the
  // image is checked once per builder and, when gone, found again by its inputs or rebuilt.
  const live = new Map<string, Promise<ImageRecord>>();
  const liveImage = (builder: string): Promise<ImageRecord> => {
    let pending = live.get(builder);
    if (!pending) {
      pending = (async () => {
        const record = images.get(builder)!;
        try {
          await client().getImage(record.id).inspect();
          return record;
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
          return fresh;
        }
      })();
      live.set(builder, pending);
    }
    return pending;
  };

  // Longest first packs the pool best: Linux builds (node-gyp, two compilers) before macOS ones.
  const order = [...plans].sort(
    (a, b) => Number(b.target.platform === 'linux') - Number(a.target.platform === 'linux'),
  );
  const pool = runPool(order, options.concurrency ?? availableParallelism(), async (plan) => {
    options.signal?.throwIfAborted();
    const started = performance.now();
    let image = images.get(plan.target.builder)!;
    let key = buildKey(plan, image.id, options.devkitVersion);
    let cached = cacheDir(root, key);
    const source = multiplePackages ? `${plan.packageName} ${plan.target.name}` : plan.target.name;
    try {
      let names = await readCacheEntry(cached);
      const hit = names !== undefined;
      if (names === undefined) {
        image = await liveImage(plan.target.builder);
        key = buildKey(plan, image.id, options.devkitVersion);
        cached = cacheDir(root, key);
        names = await readCacheEntry(cached);
      }
      if (names === undefined) {
        const staging = `${cached}.${process.pid}.tmp`;
        await rm(staging, { recursive: true, force: true });
        await mkdir(join(staging, 'files'), { recursive: true });
        try {
          const phase = {
            id: `native:${plan.packageName}:${plan.target.name}`,
            title: `native build of ${plan.packageName} for ${plan.target.name} in builder ${plan.target.builder}`,
          };
          names = await withProgress(reporter, phase, () =>
            buildInContainer(
              client(),
              plan,
              image.id,
              join(staging, 'files'),
              reporter,
              source,
              removals,
              options.signal,
            ),
          ).catch((error: unknown) => {
            throw isConnectionError(error) ? noEngineError(env, error) : error;
          });
          const outputs = await verifyOutputs(root, plan, join(staging, 'files'), names);
          if (outputs.every((o) => o.violations.length === 0)) {
            const manifest: CacheManifest = {
              key,
              image: image.id,
              package: plan.packageName,
              target: plan.target.name,
              files: await Promise.all(
                names.map(async (n) => ({ name: n, sha256: await sha256File(join(staging, 'files', n)) })),
              ),
            };
            await writeFileAtomic(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
            await rm(cached, { recursive: true, force: true });
            await rename(staging, cached);
          } else {
            results.push({
              package: plan.packageName,
              target: plan.target.name,
              key,
              image: image.id,
              cached: false,
              ok: false,
              durationMs: performance.now() - started,
              outputs,
            });
            return;
          }
        } finally {
          await rm(staging, { recursive: true, force: true });
        }
      }
      const outputs = await verifyOutputs(root, plan, join(cached, 'files'), names);
      const result: BuildResult = {
        package: plan.packageName,
        target: plan.target.name,
        key,
        image: image.id,
        cached: hit,
        ok: outputs.every((o) => o.violations.length === 0),
        durationMs: 0,
        outputs,
      };
      await installOutputs(root, plan, join(cached, 'files'), names, result);
      result.durationMs = performance.now() - started;
      reporter.emit({
        type: 'step:end',
        id: `native:${plan.packageName}:${plan.target.name}`,
        title: source,
        status: hit ? 'skipped' : 'done',
        durationMs: result.durationMs,
        detail: hit ? 'cache hit' : `${names.length} output(s) verified`,
      });
      results.push(result);
    } catch (error) {
      if (error instanceof DevkitError) failures.push(error);
      else throw error;
    }
  });
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
