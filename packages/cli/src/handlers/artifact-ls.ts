import { ANNOTATIONS, kindOf, shortDigest } from '@devkit/artifact';
import { loadProject } from '../context.js';
import type { CommandInput, NoInput, CommandResult, HandlerIO } from '../spec.js';
import { openProjectStore } from './artifact-common.js';

/** `devkit artifact ls`: every build and tag in the local store, newest first. */
export async function run(input: CommandInput<NoInput>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const store = await openProjectStore(ctx);
  const index = await store.readIndex();
  const tags = new Map<string, string[]>();
  for (const d of index.manifests) {
    if (kindOf(d) !== 'tag') continue;
    const ref = d.annotations?.[ANNOTATIONS.refName] ?? '';
    tags.set(d.digest, [...(tags.get(d.digest) ?? []), ref.slice(ref.lastIndexOf(':') + 1)]);
  }
  const artifacts = index.manifests
    .filter((d) => kindOf(d) === 'build')
    .map((d) => ({
      name: d.annotations?.[ANNOTATIONS.name] ?? '',
      digest: d.digest,
      created: d.annotations?.[ANNOTATIONS.created] ?? null,
      inputsDigest: d.annotations?.[ANNOTATIONS.inputs] ?? null,
      tags: tags.get(d.digest) ?? [],
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || (b.created ?? '').localeCompare(a.created ?? ''));
  return {
    exitCode: 0,
    data: { store: store.root, artifacts },
    human: (s) =>
      artifacts.length === 0
        ? [`no artifacts in ${store.root}: run \`devkit build\``]
        : artifacts.map((a) =>
            `${a.name.padEnd(16)} ${shortDigest(a.digest)}  ${a.created ?? ''}  ${a.tags.length > 0 ? s.cyan(a.tags.join(', ')) : ''}`.trimEnd(),
          ),
  };
}
