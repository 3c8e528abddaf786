import type { ExecaError } from 'execa';
import { DevkitError, machineError, type ExitCode } from './errors.js';
import { redact } from './redact.js';
import type { Reporter } from './reporter.js';

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined> | undefined;
  /** Strings that must never appear in messages (tokens, passwords). */
  secrets?: readonly string[] | undefined;
  /** Stream each output line to the reporter under this source name. */
  reporter?: Reporter | undefined;
  source?: string | undefined;
  input?: string | undefined;
  timeoutMs?: number | undefined;
  /** The stable error code and exit code used when the command fails. */
  failure?: { code: string; exitCode: ExitCode; hint?: string } | undefined;
  /** Hint shown when the binary is missing. */
  missingHint?: string | undefined;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

const TAIL_LINES = 20;

/**
 * Runs a program (no shell) and turns every failure into a DevkitError carrying the command,
 * the exit code, a one-line summary, the tail of the output and the original error as cause,
 * with credentials redacted.
 */
export async function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const secrets = options.secrets ?? [];
  const commandLine = redact([file, ...args].join(' '), secrets);
  // execa is imported on first use: it is the heaviest module devkit has, and most warm runs
  // (a bootstrap with nothing to do) never start a process.
  const { execa } = await import('execa');
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input,
    reject: false,
    all: true,
    stripFinalNewline: true,
    timeout: options.timeoutMs,
  });
  if (options.reporter) {
    const reporter = options.reporter;
    const source = options.source ?? file;
    const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (line.length > 0) reporter.emit({ type: 'output', source, stream, line: redact(line, secrets) });
      }
    };
    child.stdout?.on('data', forward('stdout'));
    child.stderr?.on('data', forward('stderr'));
  }
  const result = await child;
  const durationMs = performance.now() - started;
  if ((result as ExecaError).code === 'ENOENT' || (result.failed && result.exitCode === undefined && /ENOENT/.test(String(result.message)))) {
    throw machineError('E_BINARY_MISSING', `${file} was not found on PATH (needed to run: ${commandLine})`, {
      hint: options.missingHint ?? `install ${file} and make sure it is on PATH`,
      cause: result,
    });
  }
  if (result.failed) {
    const output = redact(String(result.all ?? ''), secrets);
    const tail = output.split('\n').slice(-TAIL_LINES).join('\n');
    const why = result.timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : result.isTerminated
        ? `was killed by ${result.signal}`
        : `exited with code ${result.exitCode}`;
    const failure = options.failure ?? { code: 'E_COMMAND_FAILED', exitCode: 1 as ExitCode };
    throw new DevkitError(failure.code, failure.exitCode, `\`${commandLine}\` ${why}${tail ? `:\n${tail}` : ''}`, {
      hint: failure.hint,
      cause: result,
      details: { command: commandLine, exitCode: result.exitCode ?? null, output },
    });
  }
  return {
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    exitCode: result.exitCode ?? 0,
    durationMs,
  };
}
