import { resolve } from 'node:path';
import { loadConfig, type ProjectContext } from '@devkit/config';
import { readActiveToolchain, toolchainPath } from '@devkit/toolchain/active';
import type { CommandInput, HandlerIO } from './spec.js';

/** What loadProject needs of a handler's input, whatever the command's own flags are. */
export interface ProjectInput {
  cwd: CommandInput['cwd'];
  env: CommandInput['env'];
  /** `yes` (`--yes`) is read when the command has it. */
  flags: Readonly<Record<string, unknown>>;
}

/**
 * The environment with the checkout's provisioned node and pnpm first on PATH, when devkit has
 * provisioned them (`.devkit/toolchain.json`, still valid): every process devkit starts — pnpm
 * install, hooks, services' setup commands — then runs the pinned tools. Always a copy, since
 * bootstrap's toolchain step sets PATH on it once it has provisioned them.
 */
function withToolchain(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const state = readActiveToolchain(root, env);
  return state?.shimDir ? { ...env, PATH: toolchainPath(state, env) } : { ...env };
}

/** Loads the repo's config; says once when there is no devkit.json and defaults apply. */
export async function loadProject(input: ProjectInput, io: HandlerIO): Promise<ProjectContext> {
  const loaded = await loadConfig(resolve(input.cwd));
  if (!loaded.found) io.notice(`no devkit.json in ${loaded.root}: using defaults`);
  return {
    root: loaded.root,
    configFile: loaded.file,
    configFound: loaded.found,
    config: loaded.config,
    reporter: io.reporter,
    yes: input.flags.yes === true,
    env: withToolchain(loaded.root, input.env),
  };
}
