import { spawn } from 'node:child_process';
import { DevkitError, machineError } from '@devkit/core';

export interface GitExecOptions {
  /** Bytes written to git's stdin. */
  input?: string | Uint8Array | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Runs git and returns its stdout as bytes. Plain `spawn` rather than the general subprocess
 * wrapper: the pre-commit path calls git a few times per commit and needs raw bytes (blobs,
 * NUL-separated lists), and every millisecond of the hook is paid on every commit.
 * The environment is inherited on purpose: inside a hook git sets GIT_INDEX_FILE, and reading
 * that index (not `.git/index`) is what makes `git commit <paths>` and `commit -a` check the
 * right content.
 */
export function execGit(cwd: string, args: readonly string[], options: GitExecOptions = {}): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(machineError('E_BINARY_MISSING', 'git was not found on PATH', { hint: 'install git (e.g. sudo apt-get install git)', cause: error }));
      else reject(error);
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise(Buffer.concat(out));
      const stderr = Buffer.concat(err).toString('utf8').trim();
      reject(
        new DevkitError('E_GIT_FAILED', 1, `\`git ${args.join(' ')}\` ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${stderr ? `: ${stderr}` : ''}`, {
          details: { command: `git ${args.join(' ')}`, exitCode: code, stderr },
        }),
      );
    });
    child.stdin.on('error', () => {
      // git may exit before reading all of stdin; the exit code reports the real problem.
    });
    child.stdin.end(options.input);
  });
}

/** Splits NUL-terminated git output (`-z`) into its fields. */
export function splitNul(output: Buffer | string): string[] {
  const text = typeof output === 'string' ? output : output.toString('utf8');
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}
