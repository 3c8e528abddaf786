import type { ChildProcess } from 'node:child_process';
import { runToCompletion, type RunProcessOptions, type RunResult, type Spawner } from './spawn.js';

export type { RunResult } from './spawn.js';

export interface RunOptions extends RunProcessOptions {
  /**
   * How the process is started. `execa` (the default) finds Windows' `.cmd` shims (pnpm, turbo)
   * and quotes their arguments, at the price of loading execa once (tens of ms). `node` is plain
   * `node:child_process`: for real executables (git, node itself) on paths where every
   * millisecond counts, like the commit hook. Same options, same errors.
   */
  engine?: 'execa' | 'node' | undefined;
}

let execaSpawner: Promise<Spawner> | undefined;

function loadExecaSpawner(): Promise<Spawner> {
  // execa is imported on first use: it is the heaviest module devkit has, and most warm runs
  // (a bootstrap with nothing to do) never start a process.
  execaSpawner ??= import('execa').then(
    ({ execa }) =>
      (file, args, options) =>
        execa(file, args, {
          cwd: options.cwd,
          env: options.env,
          extendEnv: false,
          stdio: options.stdio as ['ignore' | 'pipe', 'pipe', 'pipe'],
          detached: options.detached,
          uid: options.uid,
          gid: options.gid,
          windowsHide: true,
          // The runner reads the streams, decides what failed and stops the child on abort or
          // timeout; execa's own cleanup would install process signal handlers, which a library
          // must not (interruption comes in as an AbortSignal).
          buffer: false,
          reject: false,
          cleanup: false,
          stripFinalNewline: false,
        }) as unknown as ChildProcess,
  );
  return execaSpawner;
}

/**
 * Runs a program (no shell) to completion. Every failure is a CommandError (a DevkitError): the
 * command line with credentials redacted, the exit code or signal, a one-line summary, the
 * output (bounded), the original error as cause; a missing binary is E_BINARY_MISSING (exit 3).
 * Output reaches `onLine` and the reporter as whole lines, however the chunks fall.
 */
export async function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const spawner = options.engine === 'node' ? undefined : await loadExecaSpawner();
  return runToCompletion(file, args, options, spawner);
}
