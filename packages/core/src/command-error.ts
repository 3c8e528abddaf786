import { existsSync } from 'node:fs';
import { DevkitError, EXIT, type ExitCode } from './errors.js';
import { redact } from './redact.js';

/** The stable code and exit code a caller gives a command's failure (its exit, a signal, a timeout). */
export interface CommandFailure {
  code: string;
  exitCode: ExitCode;
  hint?: string | undefined;
}

/** Why a command did not succeed. */
export type CommandErrorReason = 'exit' | 'signal' | 'timeout' | 'aborted' | 'missing' | 'start';

/** How many lines of output a message shows; the whole (bounded) output is in `output`. */
const MESSAGE_TAIL_LINES = 20;
const SUMMARY_MAX_CHARS = 200;

/**
 * The one error every way of running a process fails with: a DevkitError whose code is stable
 * (the caller's, `E_BINARY_MISSING` exit 3, `E_COMMAND_START` exit 3 or `E_INTERRUPTED`), with
 * the command line (credentials redacted), the process's exit code or signal, a one-line
 * summary, the output (redacted, bounded to its end) and the original error as `cause`. The same
 * facts are in `details` for `--json`.
 */
export class CommandError extends DevkitError {
  /** The command line, credentials redacted. */
  readonly command: string;
  readonly reason: CommandErrorReason;
  /** The process's own exit code (not devkit's, which is `exitCode`); null when it did not exit by itself. */
  readonly processExitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** One line: what happened and the last line the command printed. */
  readonly summary: string;
  /** stdout and stderr interleaved as they came, redacted; only the end when it was long. */
  readonly output: string;

  constructor(
    code: string,
    exitCode: ExitCode,
    message: string,
    facts: CommandErrorFacts & { summary: string },
    options: { hint?: string | undefined; cause?: unknown },
  ) {
    super(code, exitCode, message, {
      hint: options.hint,
      cause: options.cause,
      details: {
        command: facts.command,
        exitCode: facts.processExitCode,
        signal: facts.signal,
        summary: facts.summary,
        output: facts.output,
        ...(facts.outputTruncated ? { outputTruncated: true } : {}),
      },
    });
    this.command = facts.command;
    this.reason = facts.reason;
    this.processExitCode = facts.processExitCode;
    this.signal = facts.signal;
    this.summary = facts.summary;
    this.output = facts.output;
  }
}

export function isCommandError(error: unknown): error is CommandError {
  return error instanceof CommandError;
}

export interface CommandErrorFacts {
  command: string;
  reason: CommandErrorReason;
  processExitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  outputTruncated?: boolean | undefined;
}

/** What the runner knows about a command when it builds its error. */
export interface CommandContext {
  file: string;
  args: readonly string[];
  cwd: string;
  secrets?: readonly string[] | undefined;
  failure?: CommandFailure | undefined;
  missingHint?: string | undefined;
  timeoutMs?: number | undefined;
}

/** The command line as messages show it: no shell quoting, credentials and secrets redacted. */
export function displayCommand(file: string, args: readonly string[], secrets: readonly string[] = []): string {
  return redact([file, ...args].join(' '), secrets);
}

function lastLine(output: string): string {
  const lines = output.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line) return line.length > SUMMARY_MAX_CHARS ? `${line.slice(0, SUMMARY_MAX_CHARS)}…` : line;
  }
  return '';
}

/**
 * The error for a command that ran and did not succeed: a non-zero exit, a signal, a timeout or
 * an abort. `rawOutput` is redacted here.
 */
export function commandEndedError(
  context: CommandContext,
  end: {
    reason: 'exit' | 'signal' | 'timeout' | 'aborted';
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    abortReason?: unknown;
  },
  rawOutput: string,
  outputTruncated: boolean,
): CommandError {
  const secrets = context.secrets ?? [];
  const command = displayCommand(context.file, context.args, secrets);
  const output = redact(rawOutput, secrets).replace(/\n+$/, '');
  const why =
    end.reason === 'aborted'
      ? `was stopped: ${end.abortReason instanceof Error ? end.abortReason.message : 'aborted'}`
      : end.reason === 'timeout'
        ? `timed out after ${context.timeoutMs} ms`
        : end.reason === 'signal'
          ? `was killed by ${end.signal}`
          : `exited with code ${end.exitCode}`;
  const last = lastLine(output);
  const summary = `\`${command}\` ${why}${last ? `: ${last}` : ''}`;
  const tail = output.split('\n').slice(-MESSAGE_TAIL_LINES).join('\n');
  const message = `\`${command}\` ${why}${tail ? `:\n${tail}` : ''}`;
  const facts = {
    command,
    reason: end.reason,
    processExitCode: end.exitCode,
    signal: end.signal,
    output,
    outputTruncated,
    summary,
  };
  if (end.reason === 'aborted')
    return new CommandError('E_INTERRUPTED', EXIT.finding, message, facts, {
      hint: `run it again: ${command}`,
      cause: end.abortReason,
    });
  const failure = context.failure ?? { code: 'E_COMMAND_FAILED', exitCode: EXIT.finding };
  return new CommandError(failure.code, failure.exitCode, message, facts, { hint: failure.hint });
}

/**
 * The error for a command that could not start: a missing binary (exit 3, with the install
 * hint), a missing working folder, a file that is not executable.
 */
export function commandStartError(context: CommandContext, error: NodeJS.ErrnoException): CommandError {
  const command = displayCommand(context.file, context.args, context.secrets);
  const facts = { command, processExitCode: null, signal: null, output: '' };
  if (error.code === 'ENOENT' && !existsSync(context.cwd)) {
    const message = `could not run \`${command}\`: its working folder ${context.cwd} does not exist`;
    return new CommandError(
      'E_COMMAND_START',
      EXIT.machine,
      message,
      { ...facts, reason: 'start', summary: message },
      { hint: `create ${context.cwd} or run from another folder`, cause: error },
    );
  }
  if (error.code === 'ENOENT') {
    const message = `${context.file} was not found on PATH (needed to run: ${command})`;
    return new CommandError(
      'E_BINARY_MISSING',
      EXIT.machine,
      message,
      { ...facts, reason: 'missing', summary: message },
      { hint: context.missingHint ?? `install ${context.file} and make sure it is on PATH`, cause: error },
    );
  }
  const message = `could not run \`${command}\`: ${redact(error.message, context.secrets)}`;
  return new CommandError(
    'E_COMMAND_START',
    EXIT.machine,
    message,
    { ...facts, reason: 'start', summary: message },
    {
      hint:
        error.code === 'EACCES'
          ? `make ${context.file} executable (chmod +x) or install it again`
          : context.missingHint,
      cause: error,
    },
  );
}
