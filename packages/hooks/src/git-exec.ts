import { runCommand } from '@devkit/core';

export interface GitExecOptions {
  /** Bytes written to git's stdin. */
  input?: string | Uint8Array | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Runs git and returns its stdout as bytes, through core's runner on its plain
 * `node:child_process` engine: the pre-commit path calls git a few times per commit and every
 * millisecond of the hook is paid on every commit. The environment is inherited on purpose:
 * inside a hook git sets GIT_INDEX_FILE, and reading that index (not `.git/index`) is what
 * makes `git commit <paths>` and `commit -a` check the right content.
 */
export async function execGit(cwd: string, args: readonly string[], options: GitExecOptions = {}): Promise<Buffer> {
  const result = await runCommand('git', args, {
    cwd,
    engine: 'node',
    env: options.env ?? process.env,
    extendEnv: false,
    input: options.input,
    // stdout is data (blobs, NUL-separated lists); git says what went wrong on stderr.
    capture: 'stderr',
    failure: { code: 'E_GIT_FAILED', exitCode: 1 },
    missingHint: 'install git (e.g. sudo apt-get install git)',
  });
  return result.stdoutBytes;
}

/** Splits NUL-terminated git output (`-z`) into its fields. */
export function splitNul(output: Buffer | string): string[] {
  const text = typeof output === 'string' ? output : output.toString('utf8');
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}
