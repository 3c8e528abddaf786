import { isDevkitError, type DevkitError } from '@devkit/core';
import {
  applyNativeGc,
  collectNativeGcFacts,
  createDockerClient,
  ensureEngine,
  planNativeGc,
  type GcItem,
  type GcItemKind,
  type NativeGcFacts,
} from '@devkit/native';
import { formatBytes } from '../bytes.js';
import { loadProject } from '../context.js';
import type { nativeGcSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { devkitVersion } from './native-shared.js';

const NOUNS: Record<GcItemKind, [string, string]> = {
  image: ['image', 'images'],
  volume: ['zig cache volume', 'zig cache volumes'],
  'cache-entry': ['cache entry', 'cache entries'],
  staging: ['unfinished build folder', 'unfinished build folders'],
};

function count(items: readonly GcItem[], kind: GcItemKind): string {
  const n = items.filter((i) => i.kind === kind).length;
  return `${n} ${NOUNS[kind][n === 1 ? 0 : 1]}`;
}

function byKind<T extends GcItem>(items: readonly T[], ...kinds: GcItemKind[]): T[] {
  return items.filter((i) => kinds.includes(i.kind));
}

function currentBuilders(engine: NonNullable<NativeGcFacts['engine']>) {
  const names = [...new Set([...engine.currentBaseInputs.keys(), ...engine.unknownBuilders.keys()])].sort();
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        baseInputs: engine.currentBaseInputs.get(name),
        builderInputs: engine.currentBuilderInputs.get(name),
        ...(engine.unknownBuilders.has(name) ? { unknown: engine.unknownBuilders.get(name) } : {}),
      },
    ]),
  );
}

/**
 * `devkit native gc [--dry-run] [--keep N]`: removes the builder and base images, zig cache
 * volumes and native cache entries no current configuration of this repo uses.
 */
export async function run(input: CommandInput<typeof nativeGcSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const dryRun = input.flags['dry-run'];
  const keep = input.flags.keep;
  const docker = createDockerClient(input.env);
  // Cache entries are this repo's files and need no engine: without one they are still
  // collected, and the run ends with the engine's exit 3 so that nobody takes it for a full gc.
  let noEngine: DevkitError | undefined;
  try {
    await ensureEngine(docker, input.env);
  } catch (error) {
    if (!isDevkitError(error)) throw error;
    noEngine = error;
  }
  const options = {
    root: ctx.root,
    config: ctx.config,
    env: input.env,
    devkitVersion: devkitVersion(),
    keep,
    dryRun,
    docker: noEngine ? undefined : docker,
  };
  const facts = await collectNativeGcFacts(options);
  const plan = planNativeGc(facts, keep);
  const result = await applyNativeGc(plan, facts, options);
  const exitCode = noEngine ? noEngine.exitCode : result.failed.length > 0 ? 1 : 0;
  const lists = (...kinds: GcItemKind[]) => ({
    removed: byKind(result.removed, ...kinds),
    kept: byKind(result.kept, ...kinds),
    failed: byKind(result.failed, ...kinds),
  });
  return {
    exitCode,
    data: {
      dryRun,
      keep,
      freedBytes: result.freedBytes,
      // What counts as current, per builder: the inputs digests `native images` would look for now.
      builders: facts.engine ? currentBuilders(facts.engine) : undefined,
      images: noEngine ? undefined : lists('image'),
      volumes: noEngine ? undefined : lists('volume'),
      cache: lists('cache-entry', 'staging'),
      ...(noEngine ? { error: noEngine.toJSON() } : {}),
    },
    human: (s) => {
      const lines: string[] = [];
      const verb = dryRun ? 'would remove' : 'removed';
      for (const i of result.removed)
        lines.push(
          `${s.dim(`${verb}:`)} ${NOUNS[i.kind][0]} ${i.name} ${s.dim(`(${formatBytes(i.size)}; ${i.reason})`)}`,
        );
      for (const i of result.kept) {
        // Current images and entries are what gc is expected to keep; the rest is said with why.
        if (i.rule === 'current' || i.rule === 'image-kept') continue;
        lines.push(`${s.yellow('kept:')} ${NOUNS[i.kind][0]} ${i.name} ${s.dim(`(${i.reason})`)}`);
      }
      for (const i of result.failed) lines.push(`${s.red('failed:')} ${NOUNS[i.kind][0]} ${i.name}: ${i.error}`);
      const parts = noEngine
        ? [count(result.removed, 'cache-entry'), count(result.removed, 'staging')]
        : (['image', 'volume', 'cache-entry', 'staging'] as const).map((k) => count(result.removed, k));
      lines.push(
        `${verb} ${parts.join(', ')} (${formatBytes(result.freedBytes)} ${dryRun ? 'would be freed' : 'freed'})${
          result.failed.length > 0 ? s.red(`; ${result.failed.length} could not be removed`) : ''
        }`,
      );
      if (noEngine) {
        lines.push(
          s.red(`images and zig cache volumes not collected: ${noEngine.message}`),
          `${s.dim('fix:')} ${noEngine.hint ?? ''}`,
        );
      }
      return lines;
    },
  };
}
