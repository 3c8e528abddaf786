import { checkChain, readHistory } from '@devkit/environments';
import { shortDigest } from '@devkit/artifact';
import { loadProject } from '../context.js';
import type { historySpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { environmentBackend, openProjectStore, requireKnownName } from './artifact-common.js';

/** `devkit history <name> --env <env>`: every promote and rollback of the environment, newest first. */
export async function run(input: CommandInput<typeof historySpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const { name } = input.args;
  const { env } = input.flags;
  const backend = await environmentBackend(ctx, env);
  await requireKnownName(await openProjectStore(ctx), name);
  const items = await readHistory(backend, name, env);
  const { tag } = await backend.pointers(name, env);
  const problems = checkChain(items.map((i) => i.entry));
  const entries = items.map((i) => ({ ...i.entry, entryDigest: i.digest }));
  return {
    exitCode: problems.length > 0 ? 1 : 0,
    data: { name, environment: env, current: tag ?? null, entries, problems },
    human: (s) => [
      ...(entries.length === 0 ? [`${name} has never been promoted to ${env}`] : []),
      ...entries.map(
        (e) =>
          `${String(e.sequence).padStart(4)} ${e.when}  ${e.action.padEnd(8)} ${e.from ? shortDigest(e.from) : '(none)      '} → ${s.bold(shortDigest(e.to))}  ${e.who.ci ?? e.who.git ?? e.who.user ?? ''}${e.forced ? s.yellow(' forced') : ''}${e.reason ? s.dim(`  "${e.reason}"`) : ''}`,
      ),
      ...problems.map((p) => s.red(`history damaged: ${p}`)),
    ],
  };
}
