import {
  createDockerClient,
  ensureBuilderImage,
  ensureEngine,
  knownTargetNames,
  loadBuilders,
  pickBuilder,
  resolveTarget,
  type EnsureImageResult,
  type ImageRecord,
} from '@devkit/native';
import { loadProject } from '../context.js';
import type { nativeImagesSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

/** `devkit native images [--builder a,b]`: makes (or finds) each builder image and records its ID. */
export async function run(input: CommandInput<typeof nativeImagesSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const builders = await loadBuilders(ctx.root, ctx.config);
  // By default the builders the targets build on (only `zig` unless devkit.json names others);
  // --builder makes any builder devkit knows.
  const used = [...new Set(knownTargetNames(ctx.config).map((t) => resolveTarget(t, ctx.config, 0).builder))].sort();
  const names = input.flags.builder ?? used;
  const defs = names.map((n) => pickBuilder(builders, n));
  const docker = createDockerClient(input.env);
  await ensureEngine(docker, input.env);
  const results: Array<ImageRecord & { built: EnsureImageResult['built']; durationMs: number }> = [];
  // Ctrl-C stops debootstrap and removes the containers started.
  await io.withInterrupt(async (signal) => {
    for (const def of defs) {
      const started = performance.now();
      const { record, built } = await ensureBuilderImage(docker, def, {
        root: ctx.root,
        config: ctx.config,
        reporter: io.reporter,
        env: input.env,
        signal,
      });
      results.push({ ...record, built, durationMs: Math.round(performance.now() - started) });
    }
  });
  return {
    exitCode: 0,
    data: { ok: true, images: results },
    human: (s) =>
      results.map((r) => {
        const what = r.built.builder ? (r.built.base ? 'built (base debootstrapped)' : 'built') : 'up to date';
        return `${s.green('✓')} ${r.builder.padEnd(10)} ${r.id.slice(7, 19)} ${s.dim(`${r.tag}, glibc ${r.glibc ?? '?'}, ${what}`)}`;
      }),
  };
}
