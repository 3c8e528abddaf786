import type { Reporter } from '@devkit/core';
import type { CiRecorder } from './ci/facts.js';

/**
 * Where shell completion (`devkit completion`) finds the values of an argument or a flag:
 * devkit.json's names, the repo's snapshots, fixed lists, or the shell's own file and folder
 * completion.
 */
export type CompletionSource =
  | 'services'
  | 'environments'
  | 'deployables'
  | 'builders'
  | 'targets'
  | 'packages'
  | 'hooks'
  | 'snapshots'
  | 'shells'
  | 'files'
  | 'dirs';

interface FlagCommon {
  short?: string;
  /** Where shell completion finds this flag's values. */
  complete?: CompletionSource;
  description: string;
  /** Placeholder in help and in the fixes errors suggest, e.g. `<ref>`. */
  placeholder?: string;
  /** A real value for the fixes errors suggest (`devkit history api --env production`). */
  example?: string;
  /** Flags of the same command that cannot be given with this one (exit 2, E_FLAG_CONFLICT). */
  conflicts?: readonly string[];
}

/** `--flag`: `true` when given, `false` otherwise; takes no value. */
export interface BooleanFlagSpec extends FlagCommon {
  type: 'boolean';
}

/** `--flag <value>`, optionally one of `values`. */
export interface StringFlagSpec extends FlagCommon {
  type: 'string';
  /** Allowed values: anything else is exit 2 naming them. */
  values?: readonly string[];
  required?: boolean;
  default?: string;
}

/** `--flag <n>`: a number, checked against its bounds when parsed. */
export interface NumberFlagSpec extends FlagCommon {
  type: 'number';
  /** Only whole numbers. */
  integer?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive lower bound, for quantities that must be positive but need not be whole (seconds). */
  above?: number;
  required?: boolean;
  default?: number;
}

/** `--flag a,b` (and `--flag a --flag b`): a non-empty list of names; undefined when not given. */
export interface ListFlagSpec extends FlagCommon {
  type: 'list';
  required?: boolean;
}

export type FlagSpec = BooleanFlagSpec | StringFlagSpec | NumberFlagSpec | ListFlagSpec;

export interface ArgSpec {
  name: string;
  /** Where shell completion finds this argument's values. */
  complete?: CompletionSource;
  required?: boolean;
  /** Takes every remaining argument, as an array (non-empty when also required). */
  variadic?: boolean;
}

/**
 * What a command takes: declared once in commands.ts (the tree, command-tree.ts, spreads it), `as const
 * satisfies InputSpec`, so that its handler's input type is inferred from it.
 */
export interface InputSpec {
  args?: readonly ArgSpec[];
  flags?: Readonly<Record<string, FlagSpec>>;
}

/** The parsed value of a flag of this spec. */
export type FlagValue<F extends FlagSpec> = F extends BooleanFlagSpec
  ? boolean
  : F extends NumberFlagSpec
    ? number
    : F extends ListFlagSpec
      ? string[]
      : F extends { values: readonly (infer V extends string)[] }
        ? V
        : string;

/** Whether a flag always has a value after parsing: booleans, required flags, flags with a default. */
type AlwaysSet<F> = F extends BooleanFlagSpec
  ? true
  : F extends { required: true }
    ? true
    : F extends { default: unknown }
      ? true
      : false;

/** The parsed flags of a command, keyed as on the command line (`flags['keep-builds']`). */
export type FlagsOf<F extends Readonly<Record<string, FlagSpec>>> = {
  readonly [K in keyof F]: AlwaysSet<F[K]> extends true ? FlagValue<F[K]> : FlagValue<F[K]> | undefined;
};

type ArgValue<A extends ArgSpec> = A extends { variadic: true }
  ? string[]
  : A extends { required: true }
    ? string
    : string | undefined;

/** The parsed positional arguments of a command, by name. */
export type ArgsOf<A extends readonly ArgSpec[]> = { readonly [E in A[number] as E['name']]: ArgValue<E> };

/** The spec of a command that takes no arguments and no flags of its own. */
export type NoInput = Record<never, never>;

/** Any value the parser produces. */
export type ParsedValue = string | number | boolean | string[];

/**
 * A handler's input. `CommandInput<typeof fooSpec>` gives typed `args` and `flags`, inferred
 * from the command's spec; a bare `CommandInput` is the untyped form (values as parsed, not
 * typed per command), for code that does not depend on one command's flags.
 */
export interface CommandInput<S extends InputSpec | undefined = undefined> {
  /** Positional arguments, by ArgSpec name (variadic ones as arrays). */
  args: S extends { args: infer A extends readonly ArgSpec[] }
    ? ArgsOf<A>
    : S extends InputSpec
      ? Readonly<Record<never, never>>
      : Record<string, string | string[] | undefined>;
  /** The command's own flags; `--json` and `--cwd` are `json` and `cwd` below. */
  flags: S extends { flags: infer F extends Readonly<Record<string, FlagSpec>> }
    ? FlagsOf<F>
    : S extends InputSpec
      ? Readonly<Record<never, never>>
      : Record<string, ParsedValue | undefined>;
  cwd: string;
  json: boolean;
  env: NodeJS.ProcessEnv;
  /** Whether stdout/stderr are terminals: colour and progress only then. */
  tty: { stdout: boolean; stderr: boolean };
}

/** What a handler returns: data for `--json`, lines for people, and the exit code. */
export interface CommandResult {
  /** 0 or 1 (see DESIGN.md); `devkit exec` passes its command's own code through. */
  exitCode: number;
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
  // A handler's `run` takes `CommandInput<typeof itsSpec>`; the tree holds handlers of every
  // spec, and main.ts hands each the input the parser checked against that same spec, which is
  // what `any` stands for here (no one spec type covers them all).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run(input: CommandInput<any>, io: HandlerIO): Promise<CommandResult>;
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
  /**
   * What CI shows of this command: findings with a file and line (annotations) and facts for the
   * run's summary, given as they become known. Always there; rendered only in CI (GitHub Actions).
   */
  ci: CiRecorder;
}

export interface CommandSpec extends InputSpec {
  name: string;
  summary: string;
  subcommands?: readonly CommandSpec[];
  /** Lazily imported: `devkit hooks run` starts on every commit, so nothing loads up front. */
  load?: () => Promise<HandlerModule>;
  /** Longer text for `--help`. */
  description?: string;
  /** Left out of `--help` and of completion: a command for devkit's own scripts (`__complete`). */
  hidden?: boolean;
}
