import { downServices, selectTargets } from '@devkit/services';
import { loadProject } from '../context.js';
import type { downSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { confirmDeletion, servicesOptions } from './services-common.js';

export async function run(input: CommandInput<typeof downSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const names = input.args.services;
  const purge = input.flags.purge;
  if (purge) {
    const targets = selectTargets(ctx.root, ctx.config, names, 'down');
    await confirmDeletion(
      input.flags.yes,
      io,
      `--purge deletes the data of ${targets.map((t) => t.kind).join(', ')} (${targets.map((t) => t.paths.dirName).join(', ')} in .devkit/services)`,
      `devkit down ${names.join(' ')}${names.length ? ' ' : ''}--purge --yes`,
    );
  }
  // Stopping is not interrupted half-way: the signals are caught so a second Ctrl-C waits for it.
  const results = await io.withInterrupt(() => downServices({ ...servicesOptions(ctx), names, purge }));
  return {
    exitCode: 0,
    data: { ok: true, services: results },
    human: (s) =>
      results.map(
        (r) =>
          `${s.green('✓')} ${r.name.padEnd(10)} ${r.outcome === 'was-stopped' ? s.dim('was not running') : r.outcome === 'cleaned' ? 'was down; cleared its stale state' : 'stopped'}${r.purged ? ', data deleted' : ''}`,
      ),
  };
}
