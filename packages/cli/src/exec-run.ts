import { spawn, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';

/** Signals a terminal or a supervisor sends to stop or poke a command; each is passed on to it. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGWINCH'] as const;

/**
 * Runs `file args` with the terminal's stdio (under `--json`, `stdoutToStderr` sends its stdout
 * to devkit's stderr, so that devkit's stdout holds the JSON document alone) and returns its
 * exit code, or 128 + the signal's
 * number when a signal ended it (what a shell reports). Every signal devkit receives meanwhile
 * is passed on to the command, which decides what it means (a Ctrl-C reaches both: the command
 * sees the terminal's and devkit's, as under npm or pnpm exec).
 */
export function runForwardingSignals(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stdoutToStderr?: boolean },
): Promise<number> {
  return new Promise((resolve) => {
    const stdio: StdioOptions = options.stdoutToStderr ? ['inherit', 2, 'inherit'] : 'inherit';
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio });
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = (code: number) => {
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(
        error.code === 'ENOENT'
          ? `error E_BINARY_MISSING: ${file} is not on PATH (nor a path to a program)\n`
          : `error E_EXEC_FAILED: ${file} could not be started: ${error.message}\n`,
      );
      // 127 and 126: what a shell returns for a command not found and one it cannot run.
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => {
      done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
