import { usageError } from '@devkit/core';
import { followFile, selectTargets, tailFile } from '@devkit/services';
import { loadProject } from '../context.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

export async function run(input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const [target] = selectTargets(ctx.root, ctx.config, [String(input.args.service)], 'logs');
  const count = input.flags.lines === undefined ? 100 : Number(input.flags.lines);
  if (!Number.isInteger(count) || count < 0) throw usageError('E_FLAG_VALUE', `--lines must be a whole number (found ${JSON.stringify(input.flags.lines)})`, { hint: `devkit logs ${target!.kind} --lines 200` });
  const lines = await tailFile(target!.paths.log, count);
  if (input.flags.follow !== true || input.json) {
    return { exitCode: 0, data: { ok: true, service: target!.kind, log: target!.paths.log, lines }, human: () => lines };
  }
  // Following streams until Ctrl-C: the one handler that writes as it goes, like `tail -f`.
  if (lines.length > 0) io.write(`${lines.join('\n')}\n`);
  await io.withInterrupt((signal) => followFile(target!.paths.log, (batch) => io.write(`${batch.join('\n')}\n`), signal));
  return { exitCode: 0, data: { ok: true }, human: () => [] };
}
