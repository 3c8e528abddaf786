import type { Reporter } from '@devkit/core';

/** The shape of the declarative command tree (see commands.ts). */
export interface FlagSpec {
  type: 'boolean' | 'string';
  short?: string;
  description: string;
  /** Allowed values of a string flag. */
  values?: readonly string[];
  /** Placeholder in help, e.g. `<ref>`. */
  placeholder?: string;
}

export interface ArgSpec {
  name: string;
  required?: boolean;
  variadic?: boolean;
}

export interface CommandInput {
  /** Positional arguments, by ArgSpec name (variadic ones as arrays). */
  args: Record<string, string | string[] | undefined>;
  flags: Record<string, string | boolean | undefined>;
  cwd: string;
  json: boolean;
  env: NodeJS.ProcessEnv;
  /** Whether stdout/stderr are terminals: colour and progress only then. */
  tty: { stdout: boolean; stderr: boolean };
}

/** What a handler returns: data for `--json`, lines for people, and the exit code. */
export interface CommandResult {
  exitCode: 0 | 1;
  data: unknown;
  human: (style: Style) => string[];
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export interface HandlerModule {
  run(input: CommandInput, io: HandlerIO): Promise<CommandResult>;
}

/** Ports a handler gets from main.ts: where to report, how to tell the user things. */
export interface HandlerIO {
  reporter: Reporter;
  notice(message: string): void;
  /**
   * Runs `work` with an AbortSignal that Ctrl-C (SIGINT), SIGTERM or a closed terminal (SIGHUP)
   * aborts, instead of Node's default of dying on the spot, so the handler can undo what it
   * started (stop half-started services) before exiting.
   */
  withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Streams text to stdout as it comes (`logs -f`); everything else returns its output. */
  write(text: string): void;
  /**
   * Asks a question on the terminal and returns the answer; `undefined` when there is no
   * terminal to ask on (CI, a pipe, --json), so the handler can refuse with the command to run.
   */
  ask(question: string): Promise<string | undefined>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  args?: readonly ArgSpec[];
  flags?: Readonly<Record<string, FlagSpec>>;
  subcommands?: readonly CommandSpec[];
  /** Lazily imported: `devkit hooks run` starts on every commit, so nothing loads up front. */
  load?: () => Promise<HandlerModule>;
  /** Longer text for `--help`. */
  description?: string;
}
