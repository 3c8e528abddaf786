import { upServices } from '@devkit/services';
import { loadProject } from '../context.js';
import { formatDuration } from '../render.js';
import type { upSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { servicesOptions } from './services-common.js';

export async function run(input: CommandInput<typeof upSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const timeoutMs = input.flags.timeout === undefined ? undefined : input.flags.timeout * 1000;
  const result = await io.withInterrupt((signal) =>
    upServices({ ...servicesOptions(ctx, signal), names: input.args.services, timeoutMs }),
  );
  if (result.services.length === 0) io.notice('devkit.json declares no services: nothing to start');
  return {
    exitCode: 0,
    data: { ok: true, services: result.services, envFile: result.envFile ?? null },
    human: (s) =>
      result.services.flatMap((r) => [
        `${s.green('✓')} ${r.name.padEnd(10)} ${r.outcome === 'running' ? s.dim('already running') : r.outcome} ${r.version} on ${r.url} ${s.dim(`(pid ${r.pid ?? '?'}, ${formatDuration(r.durationMs)})`)}`,
        ...r.actions.map((a) => `  ${s.dim(a)}`),
      ]),
  };
}
