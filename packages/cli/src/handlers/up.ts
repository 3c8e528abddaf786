import { usageError } from '@devkit/core';
import { upServices } from '@devkit/services';
import { loadProject } from '../context.js';
import { formatDuration } from '../render.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { serviceNames, servicesOptions } from './services-common.js';

export async function run(input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  let timeoutMs: number | undefined;
  if (typeof input.flags.timeout === 'string') {
    const seconds = Number(input.flags.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw usageError('E_FLAG_VALUE', `--timeout must be a number of seconds (found ${JSON.stringify(input.flags.timeout)})`, { hint: 'devkit up --timeout 120' });
    timeoutMs = seconds * 1000;
  }
  const result = await io.withInterrupt((signal) => upServices({ ...servicesOptions(ctx, signal), names: serviceNames(input), timeoutMs }));
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
