import { closest, usageError } from '@devkit/core';
import type { completionSpec } from '../commands.js';
import { completionScript, isShell, SHELLS } from '../completion/scripts.js';
import type { CommandInput, CommandResult } from '../spec.js';

/** `devkit completion bash|zsh|fish`: the shell's completion script, on stdout. */
export async function run(input: CommandInput<typeof completionSpec>): Promise<CommandResult> {
  const shell = input.args.shell;
  if (!isShell(shell)) {
    const suggestion = closest(shell, SHELLS);
    throw usageError(
      'E_UNKNOWN_SHELL',
      `devkit completes ${SHELLS.join(', ')}, not ${JSON.stringify(shell)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
      { hint: `devkit completion ${suggestion ?? SHELLS[0]}` },
    );
  }
  const script = completionScript(shell);
  return { exitCode: 0, data: { shell, script }, human: () => [script.trimEnd()] };
}
