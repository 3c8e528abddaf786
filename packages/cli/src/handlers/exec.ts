import { resolve } from 'node:path';
import { loadConfig } from '@devkit/config';
import { machineError } from '@devkit/core';
import { resolveToolchain, toolchainEnv } from '@devkit/toolchain/provision';
import { runForwardingSignals } from '../exec-run.js';
import type { execSpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

/**
 * `devkit exec -- <cmd> [args…]`: the command runs with the repo's pinned node and pnpm first
 * on PATH, provisioned first when they are not yet; its exit code is devkit's.
 */
export async function run(input: CommandInput<typeof execSpec>, io: HandlerIO): Promise<CommandResult> {
  const cwd = resolve(input.cwd);
  const loaded = await loadConfig(cwd);
  const resolved = await io.withInterrupt((signal) =>
    resolveToolchain(loaded.root, loaded.config, {
      root: loaded.root,
      env: input.env,
      reporter: io.reporter,
      signal,
      download: true,
    }),
  );
  if (!resolved.state) throw machineError('E_TOOLCHAIN_MISSING', 'the pinned toolchain could not be provisioned');
  if (resolved.downloaded.length > 0) io.notice(`provisioned ${resolved.downloaded.join(', ')}`);
  const [file, ...args] = input.args.command;
  const exitCode = await runForwardingSignals(file!, args, {
    cwd,
    env: toolchainEnv(resolved.state, input.env),
    stdoutToStderr: input.json,
  });
  return { exitCode, data: { exitCode, toolchain: resolved.state }, human: () => [] };
}
