/**
 * Exit codes, as DESIGN.md fixes them:
 * 1 a check found a problem, 2 usage or configuration, 3 something the machine lacks.
 */
export type ExitCode = 1 | 2 | 3;

export const EXIT = {
  ok: 0,
  finding: 1,
  usage: 2,
  machine: 3,
} as const;

export interface DevkitErrorOptions {
  /** The command (or action) that fixes the problem. */
  hint?: string | undefined;
  cause?: unknown;
  /** Extra structured detail for `--json` output. */
  details?: Record<string, unknown> | undefined;
}

/**
 * The one error type libraries throw for problems a user can act on.
 * `code` is stable (e.g. `E_CONFIG_INVALID`) and is what `--json` consumers match on.
 */
export class DevkitError extends Error {
  override readonly name = 'DevkitError';
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, exitCode: ExitCode, message: string, options: DevkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      exitCode: this.exitCode,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** A usage or configuration error (exit 2). */
export function usageError(code: string, message: string, options?: DevkitErrorOptions): DevkitError {
  return new DevkitError(code, EXIT.usage, message, options);
}

/** Something the machine lacks: a binary, an engine, a server that does not answer (exit 3). */
export function machineError(code: string, message: string, options?: DevkitErrorOptions): DevkitError {
  return new DevkitError(code, EXIT.machine, message, options);
}

/** A check found a problem (exit 1). */
export function findingError(code: string, message: string, options?: DevkitErrorOptions): DevkitError {
  return new DevkitError(code, EXIT.finding, message, options);
}

/** A bug in devkit: shown with its stack. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

export function isDevkitError(error: unknown): error is DevkitError {
  return error instanceof DevkitError;
}
