import { diffInputs, readManifest, type BuildRecord } from '@devkit/artifact';
import { loadProject } from '../context.js';
import type { whySpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { openProjectStore, resolveInStore } from './artifact-common.js';

/** `devkit why <ref-a> <ref-b>`: which inputs differ between two artifacts — files, lockfile entries, toolchain, env. */
export async function run(input: CommandInput<typeof whySpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const store = await openProjectStore(ctx);
  const load = async (text: string) => {
    const { name, descriptor } = await resolveInStore(store, text);
    const manifest = await readManifest(store, descriptor.digest);
    return { name, digest: descriptor.digest, record: await store.readJson<BuildRecord>(manifest.config.digest) };
  };
  const a = await load(input.args.a);
  const b = await load(input.args.b);
  const diff = diffInputs(a.record.inputs, b.record.inputs);
  const commit = a.record.commit === b.record.commit ? null : { a: a.record.commit, b: b.record.commit };
  return {
    exitCode: 0,
    data: {
      a: { name: a.name, digest: a.digest, inputsDigest: a.record.inputsDigest },
      b: { name: b.name, digest: b.digest, inputsDigest: b.record.inputsDigest },
      commit,
      ...diff,
    },
    human: (s) => {
      if (diff.same)
        return [
          `${a.name}@${a.digest.slice(7, 19)} and ${b.name}@${b.digest.slice(7, 19)} have the same inputs (${a.record.inputsDigest})${a.digest === b.digest ? '' : s.yellow(' but different bytes: run `devkit build --check-reproducible`')}`,
        ];
      const lines = [
        `inputs differ between ${a.name}@${a.digest.slice(7, 19)} and ${b.name}@${b.digest.slice(7, 19)}:`,
      ];
      const list = (title: string, d: { added: string[]; removed: string[]; changed: string[] }) => {
        for (const p of d.changed) lines.push(`  ${title} changed: ${p}`);
        for (const p of d.added) lines.push(`  ${title} added:   ${p}`);
        for (const p of d.removed) lines.push(`  ${title} removed: ${p}`);
      };
      list('file', diff.files);
      list('lockfile', diff.lockfile);
      if (diff.config) lines.push('  devkit.json (toolchain, native or artifacts.env) changed');
      for (const t of diff.toolchain) lines.push(`  toolchain ${t.key}: ${t.a ?? '-'} → ${t.b ?? '-'}`);
      if (diff.devkitVersion) lines.push(`  devkit ${diff.devkitVersion.a} → ${diff.devkitVersion.b}`);
      for (const e of diff.env)
        lines.push(
          `  env ${e.name}: ${e.a === null ? 'unset' : 'set'} → ${e.b === null ? 'unset' : 'set'}${e.a !== null && e.b !== null ? ' (value changed)' : ''}`,
        );
      return lines;
    },
  };
}
