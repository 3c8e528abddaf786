import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DevkitError, isProcessAlive } from '@devkit/core';
import type { DevkitConfig } from '@devkit/config';
import { applyBuilderFloors, buildKey, planNativeBuilds } from './build.js';
import { isConnectionError, noEngineError, type DockerClient } from './docker.js';
import { currentInputs, loadBuilders, readImageRecords, type ImageRecord, type ImageRecords } from './images.js';

// `devkit native gc`: facts are gathered (engine and files), a pure plan decides what goes and
// what stays with a reason for each, and only then is anything removed.

/** An image devkit made, found by its labels: a builder's image, or a base debootstrapped for one. */
export interface GcImageFact {
  id: string;
  tags: string[];
  kind: 'builder' | 'base';
  /** `--keep` counts per group: the builder's name (builder images) or the Debian release (bases). */
  group: string;
  inputs: string;
  /** Builder images: the inputs digest of the base they were built FROM (labels are inherited). */
  baseInputs: string | undefined;
  /** Seconds since the epoch. */
  created: number;
  size: number;
}

/** Any image of the engine, intermediate ones too: the parent links say what an image is built on. */
export interface GcChainFact {
  id: string;
  parent: string | undefined;
  size: number;
  tags: string[];
}

export interface GcContainerFact {
  id: string;
  name: string;
  image: string;
  state: string;
  volumes: string[];
}

/** A zig cache volume (`devkit-zig-cache-<12 hex>`, labelled with the builder image it serves). */
export interface GcVolumeFact {
  name: string;
  image: string | undefined;
  size: number;
}

export interface GcEngineFacts {
  images: GcImageFact[];
  chain: GcChainFact[];
  containers: GcContainerFact[];
  volumes: GcVolumeFact[];
  /** Inputs digests `native images` would look for now, per builder (builder digests and base digests). */
  currentBuilderInputs: Map<string, string>;
  currentBaseInputs: Map<string, string>;
  /** Builders whose current inputs could not be computed: all their images stay. */
  unknownBuilders: Map<string, string>;
  /** Image IDs recorded in .devkit/native/images.json (builders and their bases). */
  recorded: Map<string, string>;
}

/** A folder of .devkit/cache/native. */
export interface GcCacheFact {
  key: string;
  package: string | undefined;
  target: string | undefined;
  /** Milliseconds since the epoch: when the entry was written. */
  created: number;
  size: number;
  /** No readable manifest: a build would never hit it. */
  damaged: boolean;
}

/** A staging folder (`<key>.<pid>.tmp`) of a build, and whether its process still runs. */
export interface GcStagingFact {
  name: string;
  pid: number;
  alive: boolean;
  size: number;
}

export interface GcCacheFacts {
  dir: string;
  entries: GcCacheFact[];
  staging: GcStagingFact[];
  /** The key of every package × target a build would look up now, with what it is for. */
  current: Map<string, string>;
}

export interface NativeGcFacts {
  /** Undefined when no engine answers: images and volumes are then left alone. */
  engine: GcEngineFacts | undefined;
  cache: GcCacheFacts;
}

export type GcItemKind = 'image' | 'volume' | 'cache-entry' | 'staging';

/**
 * Why an item goes (`unused`, `image-gone`: a volume's image; `damaged`; `dead-run`: a staging
 * folder) or stays (`current`; `in-use` by a container; `keep`: --keep; `tagged` outside devkit's
 * names; `inputs-unknown`: its builder's current inputs could not be computed; `built-on`: a kept
 * image is built on it; `image-kept`: a volume's image stays; `not-removed`: what depends on it
 * could not be removed).
 */
export type GcRule =
  | 'unused'
  | 'image-gone'
  | 'damaged'
  | 'dead-run'
  | 'current'
  | 'in-use'
  | 'keep'
  | 'tagged'
  | 'inputs-unknown'
  | 'built-on'
  | 'image-kept'
  | 'not-removed';

/** One thing gc removes or keeps, and why. */
export interface GcItem {
  kind: GcItemKind;
  /** The image ID, volume name, cache key or folder name. */
  id: string;
  /** What people recognise it by: tags, the package × target of a cache entry. */
  name: string;
  /**
   * Bytes. To remove: what its removal frees (an image: its own layers, since layers shared with
   * an image that stays are not freed). Kept: its size.
   */
  size: number;
  rule: GcRule;
  /** The rule in words, naming the builder, container or package × target. */
  reason: string;
}

export interface NativeGcPlan {
  /** In the order they are removed: builder images before the bases they are built on, volumes after images. */
  remove: GcItem[];
  keep: GcItem[];
  /** Bytes the removals free (images: along their parent links, so shared layers count once). */
  freedBytes: number;
}

const DEVKIT_TAG = /^(devkit-builder\/[^:]+|devkit-base):[^:]+$/;

function imageName(image: GcImageFact): string {
  return image.tags.length > 0 ? image.tags.join(', ') : `<untagged ${image.id.slice(7, 19)}>`;
}

function short(id: string): string {
  return id.startsWith('sha256:') ? id.slice(7, 19) : id.slice(0, 12);
}

/** Image decisions: current, in use, tagged by someone else, kept by `--keep`, or what a kept image is built on. */
function planImages(
  engine: GcEngineFacts,
  keep: number,
): { remove: GcImageFact[]; keep: Map<string, { rule: GcRule; reason: string }> } {
  const kept = new Map<string, { rule: GcRule; reason: string }>();
  const set = (id: string, rule: GcRule, reason: string) => kept.set(id, { rule, reason });
  const chain = new Map(engine.chain.map((c) => [c.id, c]));
  const usedBy = new Map<string, GcContainerFact>();
  for (const c of engine.containers) {
    // A container needs its image and everything that image is built on.
    for (let id: string | undefined = c.image; id !== undefined && !usedBy.has(id); id = chain.get(id)?.parent)
      usedBy.set(id, c);
  }
  const currentBuilders = new Set(engine.currentBuilderInputs.values());
  const currentBases = new Set(engine.currentBaseInputs.values());
  for (const image of engine.images) {
    const recorded = engine.recorded.get(image.id);
    const container = usedBy.get(image.id);
    const foreign = image.tags.filter((t) => !DEVKIT_TAG.test(t));
    if (recorded !== undefined) set(image.id, 'current', recorded);
    else if (image.kind === 'builder' && currentBuilders.has(image.inputs))
      set(image.id, 'current', `current image of builder ${image.group}`);
    else if (image.kind === 'base' && currentBases.has(image.inputs))
      set(image.id, 'current', `current base image (${image.group})`);
    else if (image.kind === 'builder' && engine.unknownBuilders.has(image.group))
      set(
        image.id,
        'inputs-unknown',
        `the current inputs of builder ${image.group} are unknown (${engine.unknownBuilders.get(image.group)!})`,
      );
    else if (container !== undefined)
      set(
        image.id,
        'in-use',
        // A running one may be someone's build: only a stopped one comes with the command to remove it.
        container.state === 'running'
          ? `used by container ${container.name} (running)`
          : `used by container ${container.name} (${container.state}); remove it first: docker rm ${container.name}`,
      );
    else if (foreign.length > 0) set(image.id, 'tagged', `also tagged ${foreign.join(', ')}`);
  }
  // `--keep N`: the N newest unused images of each builder (bases: of each release).
  const unused = new Map<string, GcImageFact[]>();
  for (const image of engine.images) {
    if (kept.has(image.id)) continue;
    const group = `${image.kind}:${image.group}`;
    unused.set(group, [...(unused.get(group) ?? []), image]);
  }
  for (const images of unused.values()) {
    images.sort((a, b) => b.created - a.created || (a.id < b.id ? -1 : 1));
    for (const image of images.slice(0, keep)) {
      const of = image.kind === 'builder' ? `builder ${image.group}` : `${image.group} bases`;
      set(image.id, 'keep', `one of the ${keep} newest unused images of ${of} (--keep ${keep})`);
    }
  }
  // What a kept image (or any image devkit did not make) is built on stays too: by parent links,
  // and by the base label a builder image inherits (images built without parent links).
  const devkitIds = new Set(engine.images.map((i) => i.id));
  const needs = (from: string, why: string) => {
    for (let id = chain.get(from)?.parent; id !== undefined; id = chain.get(id)?.parent) {
      if (devkitIds.has(id) && !kept.has(id)) set(id, 'built-on', why);
    }
  };
  const parents = new Set(engine.chain.flatMap((c) => (c.parent ? [c.parent] : [])));
  for (const c of engine.chain) {
    if (devkitIds.has(c.id) && !kept.has(c.id)) continue;
    // Intermediate images (untagged, with children) matter only through what is built on them.
    if (!devkitIds.has(c.id) && c.tags.length === 0 && parents.has(c.id)) continue;
    needs(c.id, `${c.tags[0] ?? short(c.id)} is built on it`);
  }
  const keptBaseInputs = new Map<string, GcImageFact>();
  for (const image of engine.images)
    if (image.kind === 'builder' && kept.has(image.id) && image.baseInputs) keptBaseInputs.set(image.baseInputs, image);
  for (const image of engine.images) {
    const child = keptBaseInputs.get(image.inputs);
    if (image.kind === 'base' && child && !kept.has(image.id)) {
      set(image.id, 'built-on', `base of the kept image ${imageName(child)}`);
      needs(image.id, `base of the kept image ${imageName(child)}`);
    }
  }
  // Children before the images they are built on, so that each removal can succeed.
  const depth = (id: string): number => {
    let n = 0;
    for (let p = chain.get(id)?.parent; p !== undefined; p = chain.get(p)?.parent) n++;
    return n;
  };
  const remove = engine.images
    .filter((i) => !kept.has(i.id))
    .sort(
      (a, b) =>
        Number(a.kind === 'base') - Number(b.kind === 'base') ||
        depth(b.id) - depth(a.id) ||
        a.created - b.created ||
        (a.id < b.id ? -1 : 1),
    );
  return { remove, keep: kept };
}

/**
 * The bytes removing each image frees: its own layers (its size less its parent's), plus the
 * untagged parents nothing else is built on, which the engine removes with it. Shared layers
 * count once, for the last image removed that holds them.
 */
function imageBytesFreed(
  engine: GcEngineFacts,
  remove: readonly GcImageFact[],
  kept: ReadonlySet<string>,
): Map<string, number> {
  const chain = new Map(engine.chain.map((c) => [c.id, c]));
  const children = new Map<string, number>();
  for (const c of engine.chain) if (c.parent) children.set(c.parent, (children.get(c.parent) ?? 0) + 1);
  const used = new Set(engine.containers.map((c) => c.image));
  const own = (id: string): number => {
    const c = chain.get(id);
    if (!c) return engine.images.find((i) => i.id === id)?.size ?? 0;
    const parent = c.parent ? chain.get(c.parent) : undefined;
    return Math.max(0, c.size - (parent?.size ?? 0));
  };
  const freed = new Map<string, number>();
  for (const image of remove) {
    let bytes = own(image.id);
    for (let id = chain.get(image.id)?.parent; id !== undefined; id = chain.get(id)?.parent) {
      const left = (children.get(id) ?? 1) - 1;
      children.set(id, left);
      const c = chain.get(id)!;
      if (left > 0 || c.tags.length > 0 || kept.has(id) || used.has(id)) break;
      bytes += own(id);
    }
    freed.set(image.id, bytes);
  }
  return freed;
}

function planVolumes(
  engine: GcEngineFacts,
  removing: ReadonlyMap<string, GcImageFact>,
): { remove: GcItem[]; keep: GcItem[] } {
  const remove: GcItem[] = [];
  const keep: GcItem[] = [];
  const existing = new Set(engine.chain.map((c) => c.id));
  for (const v of engine.volumes) {
    const item = (rule: GcRule, reason: string): GcItem => ({
      kind: 'volume',
      id: v.name,
      name: v.name,
      size: v.size,
      rule,
      reason,
    });
    const container = engine.containers.find((c) => c.volumes.includes(v.name));
    // The label names the image; an unlabelled volume still carries its first 12 hex digits.
    const hex = /^devkit-zig-cache-([0-9a-f]{12})$/.exec(v.name)?.[1];
    const image =
      v.image ?? (hex === undefined ? undefined : engine.chain.find((c) => c.id.startsWith(`sha256:${hex}`))?.id);
    if (container) keep.push(item('in-use', `used by container ${container.name} (${container.state})`));
    else if (image !== undefined && removing.has(image))
      remove.push(item('unused', `its image ${imageName(removing.get(image)!)} is removed`));
    else if (image === undefined || !existing.has(image)) remove.push(item('image-gone', 'its image is gone'));
    else keep.push(item('image-kept', `its image ${short(image)} stays`));
  }
  return { remove, keep };
}

function planCache(cache: GcCacheFacts, keep: number): { remove: GcItem[]; keep: GcItem[] } {
  const remove: GcItem[] = [];
  const kept: GcItem[] = [];
  const unused = new Map<string, GcCacheFact[]>();
  const label = (e: GcCacheFact) =>
    e.package !== undefined && e.target !== undefined
      ? `${e.package} ${e.target}`
      : '(package and target not recorded)';
  const item = (e: GcCacheFact, rule: GcRule, reason: string): GcItem => ({
    kind: 'cache-entry',
    id: e.key,
    name: label(e),
    size: e.size,
    rule,
    reason,
  });
  for (const e of cache.entries) {
    const current = cache.current.get(e.key);
    if (e.damaged) remove.push(item(e, 'damaged', 'damaged: no readable manifest, a build never hits it'));
    else if (current !== undefined) kept.push(item(e, 'current', `what a build of ${current} hits now`));
    else if (e.package === undefined || e.target === undefined)
      remove.push(
        item(e, 'unused', 'no current build uses it (written before entries recorded their package and target)'),
      );
    else {
      const group = `${e.package}\u0000${e.target}`;
      unused.set(group, [...(unused.get(group) ?? []), e]);
    }
  }
  for (const entries of unused.values()) {
    entries.sort((a, b) => b.created - a.created || (a.key < b.key ? -1 : 1));
    entries.forEach((e, i) => {
      if (i < keep)
        kept.push(item(e, 'keep', `one of the ${keep} newest unused entries of ${label(e)} (--keep ${keep})`));
      else remove.push(item(e, 'unused', 'no current build uses it'));
    });
  }
  for (const s of cache.staging) {
    if (s.alive) continue;
    remove.push({
      kind: 'staging',
      id: s.name,
      name: s.name,
      size: s.size,
      rule: 'dead-run',
      reason: `left by a build that ended (pid ${s.pid})`,
    });
  }
  return { remove, keep: kept };
}

/**
 * Decides what goes, from facts alone (no engine, no files): every devkit image, zig cache
 * volume and cache entry is either removed or kept with the reason.
 */
export function planNativeGc(facts: NativeGcFacts, keep: number): NativeGcPlan {
  const remove: GcItem[] = [];
  const kept: GcItem[] = [];
  let freedBytes = 0;
  if (facts.engine) {
    const engine = facts.engine;
    const images = planImages(engine, keep);
    const freed = imageBytesFreed(engine, images.remove, new Set(images.keep.keys()));
    for (const image of images.remove) {
      const why =
        image.kind === 'builder'
          ? `not the current image of builder ${image.group}`
          : `not the current base of any builder (${image.group})`;
      const size = freed.get(image.id) ?? 0;
      remove.push({ kind: 'image', id: image.id, name: imageName(image), size, rule: 'unused', reason: why });
      freedBytes += size;
    }
    for (const image of engine.images) {
      const why = images.keep.get(image.id);
      if (why !== undefined)
        kept.push({ kind: 'image', id: image.id, name: imageName(image), size: image.size, ...why });
    }
    const volumes = planVolumes(engine, new Map(images.remove.map((i) => [i.id, i])));
    remove.push(...volumes.remove);
    kept.push(...volumes.keep);
    freedBytes += volumes.remove.reduce((n, v) => n + v.size, 0);
  }
  const cache = planCache(facts.cache, keep);
  remove.push(...cache.remove);
  kept.push(...cache.keep);
  freedBytes += cache.remove.reduce((n, c) => n + c.size, 0);
  return { remove, keep: kept, freedBytes };
}

async function folderSize(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await readdir(path).catch(() => [] as string[])) total += await folderSize(join(path, name));
  return total;
}

/** .devkit/cache/native: its entries and staging folders, and the keys builds would look up now. */
export async function collectCacheFacts(options: NativeGcOptions, records: ImageRecords): Promise<GcCacheFacts> {
  const dir = join(options.root, '.devkit', 'cache', 'native');
  const entries: GcCacheFact[] = [];
  const staging: GcStagingFact[] = [];
  for (const name of existsSync(dir) ? (await readdir(dir)).sort() : []) {
    const path = join(dir, name);
    if (/^[0-9a-f]{64}$/.test(name)) {
      let manifest: { package?: unknown; target?: unknown } | undefined;
      let created = 0;
      try {
        manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8')) as typeof manifest;
        created = (await stat(join(path, 'manifest.json'))).mtimeMs;
      } catch {
        manifest = undefined;
      }
      entries.push({
        key: name,
        package: typeof manifest?.package === 'string' ? manifest.package : undefined,
        target: typeof manifest?.target === 'string' ? manifest.target : undefined,
        created,
        size: await folderSize(path),
        damaged: manifest === undefined,
      });
      continue;
    }
    const pid = /^.+\.(\d+)\.tmp$/.exec(name)?.[1];
    if (pid !== undefined) {
      const alive = Number(pid) === process.pid || isProcessAlive(Number(pid));
      staging.push({ name, pid: Number(pid), alive, size: alive ? 0 : await folderSize(path) });
    }
  }
  return { dir, entries, staging, current: await currentKeys(options, records) };
}

/** The cache key of every configured package × target, computed as `native build` computes it. */
async function currentKeys(options: NativeGcOptions, records: ImageRecords): Promise<Map<string, string>> {
  let plans;
  try {
    plans = await planNativeBuilds({ root: options.root, config: options.config, env: options.env });
  } catch (error) {
    // No native package: no entry is current.
    if (error instanceof DevkitError && error.code === 'E_NATIVE_NO_PACKAGES') return new Map();
    throw error;
  }
  // Builds pin the image recorded for their builder (with its floors). A builder with no record
  // has its image made or found first, and its floors measured then: no key can be predicted.
  const images = new Map<string, ImageRecord>();
  for (const plan of plans) {
    const record = records[plan.target.builder];
    if (record) images.set(plan.target.builder, record);
  }
  applyBuilderFloors(plans, images, options.config);
  const keys = new Map<string, string>();
  for (const plan of plans) {
    const image = images.get(plan.target.builder);
    if (image) keys.set(buildKey(plan, image.id, options.devkitVersion), `${plan.packageName} ${plan.target.name}`);
  }
  return keys;
}

interface ListedImage {
  Id: string;
  ParentId?: string;
  RepoTags?: string[] | null;
  Labels?: Record<string, string> | null;
  Created: number;
  Size: number;
}

function tagsOf(image: ListedImage): string[] {
  return (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>').sort();
}

async function collectEngineFacts(
  docker: DockerClient,
  options: NativeGcOptions,
  records: ImageRecords,
): Promise<GcEngineFacts> {
  const listed = (await docker.listImages()) as unknown as ListedImage[];
  const all = (await docker.listImages({ all: true })) as unknown as ListedImage[];
  const images: GcImageFact[] = [];
  for (const i of listed) {
    const labels = i.Labels ?? {};
    const builderInputs = labels['devkit.builder.inputs'];
    const baseInputs = labels['devkit.base.inputs'];
    if (builderInputs !== undefined) {
      images.push({
        id: i.Id,
        tags: tagsOf(i),
        kind: 'builder',
        group: labels['devkit.builder'] ?? tagsOf(i)[0]?.split(':')[0]?.replace('devkit-builder/', '') ?? 'unknown',
        inputs: builderInputs,
        baseInputs,
        created: i.Created,
        size: i.Size,
      });
    } else if (baseInputs !== undefined) {
      images.push({
        id: i.Id,
        tags: tagsOf(i),
        kind: 'base',
        group: labels['devkit.base.release'] ?? 'unknown',
        inputs: baseInputs,
        baseInputs: undefined,
        created: i.Created,
        size: i.Size,
      });
    }
  }
  const chain: GcChainFact[] = all.map((i) => ({
    id: i.Id,
    parent: i.ParentId ? i.ParentId : undefined,
    size: i.Size,
    tags: tagsOf(i),
  }));
  const listedContainers = await docker.listContainers({ all: true });
  const containers: GcContainerFact[] = listedContainers.map((c) => ({
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
    image: c.ImageID,
    state: c.State,
    volumes: (c.Mounts ?? []).flatMap((m) => (m.Type === 'volume' && m.Name ? [m.Name] : [])),
  }));
  const { Volumes } = await docker.listVolumes({ filters: JSON.stringify({ label: ['devkit.native=zig-cache'] }) });
  let sizes = new Map<string, number>();
  if ((Volumes ?? []).length > 0) {
    // Only the engine knows how big a volume is (`docker system df`).
    const df = (await docker.df()) as { Volumes?: Array<{ Name: string; UsageData?: { Size?: number } | null }> };
    sizes = new Map((df.Volumes ?? []).map((v) => [v.Name, Math.max(0, v.UsageData?.Size ?? 0)]));
  }
  const volumes: GcVolumeFact[] = (Volumes ?? []).map((v) => ({
    name: v.Name,
    image: (v.Labels as Record<string, string> | null)?.['devkit.image'],
    size: sizes.get(v.Name) ?? 0,
  }));

  const recorded = new Map<string, string>();
  for (const r of Object.values(records)) {
    recorded.set(r.id, `recorded for builder ${r.builder} in .devkit/native/images.json`);
    if (!recorded.has(r.base.id)) recorded.set(r.base.id, `base of builder ${r.builder} in .devkit/native/images.json`);
  }
  const currentBuilderInputs = new Map<string, string>();
  const currentBaseInputs = new Map<string, string>();
  const unknownBuilders = new Map<string, string>();
  const builders = await loadBuilders(options.root, options.config);
  for (const def of builders.values()) {
    try {
      const inputs = await currentInputs(docker, def, options.env, options.root);
      currentBaseInputs.set(def.name, inputs.base);
      if (inputs.builder === undefined) continue;
      currentBuilderInputs.set(def.name, inputs.builder);
    } catch (error) {
      if (isConnectionError(error)) throw noEngineError(options.env, error);
      unknownBuilders.set(def.name, error instanceof Error ? error.message : String(error));
    }
  }
  return { images, chain, containers, volumes, currentBuilderInputs, currentBaseInputs, unknownBuilders, recorded };
}

export interface NativeGcOptions {
  root: string;
  config: DevkitConfig;
  env: NodeJS.ProcessEnv;
  devkitVersion: string;
  /** Unused images per builder and unused entries per package × target kept besides the current ones. */
  keep: number;
  dryRun: boolean;
  /** The engine; undefined when none answers (then only the cache is collected). */
  docker: DockerClient | undefined;
}

/** Gathers what `planNativeGc` decides from: the engine's images, containers and volumes, and the cache folder. */
export async function collectNativeGcFacts(options: NativeGcOptions): Promise<NativeGcFacts> {
  const records = await readImageRecords(options.root);
  const engine = options.docker ? await collectEngineFacts(options.docker, options, records) : undefined;
  const cache = await collectCacheFacts(options, records);
  return { engine, cache };
}

export interface NativeGcResult {
  dryRun: boolean;
  keep: number;
  /** Removed (with --dry-run: what would be), in the order of removal. */
  removed: GcItem[];
  kept: GcItem[];
  /** What could not be removed, with the engine's or the file system's error. */
  failed: Array<GcItem & { error: string }>;
  freedBytes: number;
}

function errorText(error: unknown): string {
  const e = error as { statusCode?: number; json?: { message?: string }; message?: string };
  return (e.json?.message ?? e.message ?? String(error)).trim();
}

/** Removes one image: each tag in turn (never forced, so the engine refuses one a container uses), or its ID when untagged. */
async function removeImage(docker: DockerClient, item: GcItem, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) {
    await docker.getImage(item.id).remove();
    return;
  }
  for (const tag of tags) await docker.getImage(tag).remove();
}

/**
 * Deletes a folder depth-first. Unlike `rm -r` in Node, the error names the file that could not
 * go and why (an immutable or busy file), not a later ENOTDIR from treating it as a folder.
 */
async function removeTree(path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory()) {
    await unlink(path);
    return;
  }
  for (const name of await readdir(path)) await removeTree(join(path, name));
  await rmdir(path);
}

/** Carries out a plan: one failure is recorded and the rest goes on. */
export async function applyNativeGc(
  plan: NativeGcPlan,
  facts: NativeGcFacts,
  options: Pick<NativeGcOptions, 'docker' | 'dryRun' | 'keep'>,
): Promise<NativeGcResult> {
  const result: NativeGcResult = {
    dryRun: options.dryRun,
    keep: options.keep,
    removed: [],
    kept: [...plan.keep],
    failed: [],
    freedBytes: 0,
  };
  if (options.dryRun) return { ...result, removed: [...plan.remove], freedBytes: plan.freedBytes };
  const images = new Map((facts.engine?.images ?? []).map((i) => [i.id, i]));
  const chain = new Map((facts.engine?.chain ?? []).map((c) => [c.id, c]));
  const failedImages = new Set<string>();
  // What an image that could not be removed is built on cannot go either.
  const builtOn = (id: string): GcImageFact | undefined => {
    for (const failed of failedImages) {
      const image = images.get(failed)!;
      if (image.baseInputs !== undefined && image.baseInputs === images.get(id)?.inputs) return image;
      for (let p = chain.get(failed)?.parent; p !== undefined; p = chain.get(p)?.parent) if (p === id) return image;
    }
    return undefined;
  };
  let freed = plan.freedBytes;
  for (const item of plan.remove) {
    try {
      if (item.kind === 'image') {
        const child = builtOn(item.id);
        if (child) {
          result.kept.push({
            ...item,
            rule: 'not-removed',
            reason: `${imageName(child)}, built on it, could not be removed`,
          });
          freed -= item.size;
          continue;
        }
        await removeImage(options.docker!, item, images.get(item.id)?.tags ?? []);
      } else if (item.kind === 'volume') {
        const image = facts.engine?.volumes.find((v) => v.name === item.id)?.image;
        if (image !== undefined && failedImages.has(image)) {
          result.kept.push({ ...item, rule: 'not-removed', reason: 'its image could not be removed' });
          freed -= item.size;
          continue;
        }
        await options.docker!.getVolume(item.id).remove();
      } else {
        // Renamed first, so that a kill part-way leaves a staging folder of a dead run (the next
        // gc or build removes it), never a half-deleted entry under its key.
        const dir = facts.cache.dir;
        const doomed = join(dir, item.kind === 'staging' ? item.id : `${item.id}.${process.pid}.tmp`);
        if (item.kind === 'cache-entry') await rename(join(dir, item.id), doomed);
        await removeTree(doomed);
      }
      result.removed.push(item);
    } catch (error) {
      if (item.kind === 'image') failedImages.add(item.id);
      result.failed.push({ ...item, error: errorText(error) });
      freed -= item.size;
    }
  }
  // An image that failed frees nothing; its size in the plan was only what it would have freed.
  result.freedBytes = Math.max(0, freed);
  return result;
}
