import { configuredTargets, formatEnv, serviceEnv } from '@devkit/services';
import { readActiveToolchain, toolchainPath } from '@devkit/toolchain/active';
import { loadProject } from '../context.js';
import type { envSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

/** `export PATH=…` with the checkout's provisioned node and pnpm first, for `--format shell`. */
async function toolchainPathLine(
  root: string,
  config: Parameters<typeof configuredTargets>[1],
  input: CommandInput<typeof envSpec>,
  io: HandlerIO,
) {
  let state = readActiveToolchain(root, input.env);
  if (!state) {
    // Resolved from the machine and the cache only: printing variables never downloads.
    const { resolveToolchain } = await import('@devkit/toolchain/provision');
    const resolved = await resolveToolchain(root, config, { root, env: input.env, download: false });
    for (const choice of resolved.missing) io.notice(`${choice.reason}; run \`devkit bootstrap\` to provision it`);
    state = resolved.state;
  }
  return state?.shimDir ? formatEnv({ PATH: toolchainPath(state, input.env) }, 'shell') : undefined;
}

export async function run(input: CommandInput<typeof envSpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const targets = configuredTargets(ctx.root, ctx.config);
  if (targets.length === 0) io.notice('devkit.json declares no services: no variables to print');
  const vars = await serviceEnv(ctx.root, targets);
  const text = formatEnv(vars, input.flags.format);
  const path = input.flags.format === 'shell' ? await toolchainPathLine(ctx.root, ctx.config, input, io) : undefined;
  const lines = [text, path].filter((line): line is string => Boolean(line));
  return { exitCode: 0, data: vars, human: () => lines };
}
