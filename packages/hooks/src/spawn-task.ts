import { delimiter, dirname, join, resolve } from 'node:path';
import { isCommandError, runCommand } from '@devkit/core';

export interface TaskRun {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  output: string;
  /** The program was not found. */
  missing: boolean;
}

/**
 * PATH for a task started in `cwd`, as lint-staged's runner (tinyexec) builds it: the
 * node_modules/.bin of `cwd` and of every folder above it (a package's own tools first, then the
 * workspace root's), the folder of the running Node, then the inherited PATH.
 */
export function taskPath(cwd: string, inherited: string | undefined): string {
  const bins: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    bins.push(join(dir, 'node_modules', '.bin'));
    if (dirname(dir) === dir) break;
  }
  bins.push(dirname(process.execPath));
  return [...bins, ...(inherited ? [inherited] : [])].join(delimiter);
}

/** Runs one task's program (no shell) in `cwd`; a non-zero exit is data, not an exception. */
export async function spawnTask(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TaskRun> {
  const PATH = taskPath(cwd, env.PATH);
  try {
    await runCommand(argv[0]!, argv.slice(1), { cwd, env: { ...env, PATH }, extendEnv: false, engine: 'node' });
    return { code: 0, output: '', missing: false };
  } catch (error) {
    if (!isCommandError(error)) throw error;
    return { code: error.processExitCode, output: error.output || error.message, missing: error.reason === 'missing' };
  }
}

/**
 * A failed task as a finding reads it: `command-missing` with `missing` (what was not found), or
 * `command-failed` with the exit code and the last 20 lines the task printed.
 */
export function taskFailure(
  command: string,
  result: TaskRun,
  missing: string,
): { code: 'command-missing' | 'command-failed'; message: string } {
  if (result.missing) return { code: 'command-missing', message: `\`${command}\`: ${missing}` };
  const tail = result.output.trim().split('\n').slice(-20).join('\n');
  return {
    code: 'command-failed',
    message: `\`${command}\` exited with code ${result.code}${tail ? `:\n${tail}` : ''}`,
  };
}
