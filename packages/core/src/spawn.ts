// The node:child_process half of core's process runner, Node-only and light: the services
// supervisor imports it alone (@devkit/core/spawn), and `devkit hooks run` runs git through it on
// every commit without loading execa. exec.ts is the run-to-completion API over both halves.
import {
  spawn as nodeSpawn,
  spawnSync,
  type ChildProcess,
  type SpawnOptions,
  type StdioOptions,
} from 'node:child_process';
import {
  commandEndedError,
  commandStartError,
  displayCommand,
  type CommandContext,
  type CommandFailure,
} from './command-error.js';
import { LineSplitter, OutputTail } from './line-splitter.js';
import { redact } from './redact.js';
import type { Reporter } from './reporter.js';

/** What an error keeps of a command's output by default: its last MiB. */
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** Between the polite signal (SIGTERM) and SIGKILL when a command is aborted or times out. */
const DEFAULT_KILL_GRACE_MS = 3_000;

/** A command as the runner starts it: its line (credentials and the caller's secrets redacted) and folder. */
export interface CommandTraceStart {
  command: string;
  cwd: string;
}

/** How a traced command ended; `error` when it could not start at all. */
export interface CommandTraceEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  error?: string | undefined;
}

/** Told of each command at its start; the function it returns is told of its end. */
export type CommandTracer = (start: CommandTraceStart) => (end: CommandTraceEnd) => void;

let tracer: CommandTracer | undefined;

/**
 * Sets (or, with undefined, clears) the one process-wide observer of every command core's runner
 * starts. Only the CLI sets it (`--verbose`, DEVKIT_DEBUG=1): libraries run commands without
 * knowing whether anyone watches, and one observer here sees all of them, whichever package runs them.
 */
export function setCommandTracer(next: CommandTracer | undefined): void {
  tracer = next;
}

/** Tells the tracer, if any, that a command starts; returns what to call when it ends (once). */
function traceCommand(context: CommandContext): (end: Omit<CommandTraceEnd, 'durationMs'>) => void {
  if (!tracer) return () => undefined;
  const startedAt = performance.now();
  const ended = tracer({ command: displayCommand(context.file, context.args, context.secrets), cwd: context.cwd });
  let done = false;
  return (end) => {
    if (done) return;
    done = true;
    ended({ ...end, durationMs: performance.now() - startedAt });
  };
}

/** Starts a child process: node's `spawn`, or execa's (exec.ts) with the same options. */
export type Spawner = (file: string, args: string[], options: SpawnOptions) => ChildProcess;

/** Options every way of running a process takes. */
export interface ProcessOptions {
  /** The working folder: always explicit, never the process's own. */
  cwd: string;
  /**
   * Variables laid over `process.env` (an `undefined` value removes one), or the child's whole
   * environment when `extendEnv` is false.
   */
  env?: Record<string, string | undefined> | undefined;
  /** `false`: `env` is the child's whole environment. Default true. */
  extendEnv?: boolean | undefined;
  /** Strings that must never appear in messages (tokens, passwords); URL credentials are always redacted. */
  secrets?: readonly string[] | undefined;
  /** The stable error code and exit code used when the command fails (default E_COMMAND_FAILED, exit 1). */
  failure?: CommandFailure | undefined;
  /** Hint shown when the binary is missing. */
  missingHint?: string | undefined;
  /** Stop the command (SIGTERM, then SIGKILL) after this long; it fails as timed out. */
  timeoutMs?: number | undefined;
  /** Aborting stops the command (SIGTERM, then SIGKILL) and fails it with E_INTERRUPTED. */
  signal?: AbortSignal | undefined;
  /**
   * Start the command as the leader of a process group of its own, and stop the whole group on
   * abort or timeout: for commands that start helpers of their own (a shell, a package manager).
   * The group also keeps a terminal's Ctrl-C from reaching the command directly: only the abort does.
   */
  killProcessGroup?: boolean | undefined;
  /** Between SIGTERM and SIGKILL when stopping the command. */
  killGraceMs?: number | undefined;
  /** Each whole line of output, as it comes (not redacted). */
  onLine?: ((line: string, stream: 'stdout' | 'stderr') => void) | undefined;
  /** Stream each non-empty output line (redacted) to the reporter under `source` (default: the file). */
  reporter?: Reporter | undefined;
  source?: string | undefined;
  /** The end of the output an error keeps (bytes; default 1 MiB). */
  maxOutputBytes?: number | undefined;
  /** `false`: a non-zero exit or a signal is returned, not thrown (a missing binary still throws). */
  reject?: boolean | undefined;
  /** Which output the error keeps: both streams (default), stderr only (stdout is data), or none. */
  capture?: 'all' | 'stderr' | 'none' | undefined;
  /** Run as this user and group (devkit as root runs services' tools as an unprivileged account). */
  uid?: number | undefined;
  gid?: number | undefined;
}

/** Options of the lower-level `spawnProcess`, for long-lived or streaming children. */
export interface SpawnProcessOptions extends ProcessOptions {
  /** Default: stdin ignored (or piped when `input` is given), stdout and stderr piped. */
  stdio?: StdioOptions | undefined;
  /** Bytes written to stdin, which is then closed. */
  input?: string | Uint8Array | undefined;
  /** A session of its own (a daemon): no terminal signal reaches it. */
  detached?: boolean | undefined;
}

/** How a process ended. */
export interface ProcessExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** A started child and the two moments that matter about it. */
export interface SpawnedProcess {
  readonly child: ChildProcess;
  /** Resolves with the pid once the process runs; rejects with a CommandError when it cannot start. */
  readonly started: Promise<number>;
  /**
   * Settles when the process has ended and its output is closed: resolves on exit 0 (or any
   * end when `reject` is false), rejects with a CommandError otherwise.
   */
  readonly finished: Promise<ProcessExit>;
}

export function childEnv(options: Pick<ProcessOptions, 'env' | 'extendEnv'>): NodeJS.ProcessEnv {
  if (options.extendEnv === false) return { ...options.env };
  return options.env ? { ...process.env, ...options.env } : process.env;
}

/** What an error about this command needs to know of it, whichever way it was run. */
function commandContext(file: string, args: readonly string[], options: ProcessOptions): CommandContext {
  const { cwd, secrets, failure, missingHint, timeoutMs } = options;
  return { file, args, cwd, secrets, failure, missingHint, timeoutMs };
}

/**
 * Starts a process with core's error shape, whole output lines, abort and timeout: the helper
 * under `runCommand`, and the one to use directly for what does not run to completion (a
 * detached daemon, a long-lived `git cat-file --batch`). Both promises are already handled:
 * await the one you need.
 */
export function spawnProcess(
  file: string,
  args: readonly string[],
  options: SpawnProcessOptions,
  spawner: Spawner = nodeSpawn,
): SpawnedProcess {
  const context = commandContext(file, args, options);
  const traceEnd = traceCommand(context);
  const group = options.killProcessGroup === true;
  const stdio = options.stdio ?? [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
  const child = spawner(file, [...args], {
    cwd: options.cwd,
    env: childEnv(options),
    stdio,
    detached: group || options.detached === true,
    uid: options.uid,
    gid: options.gid,
    windowsHide: true,
  });

  const capture = options.capture ?? 'all';
  const tail = capture === 'none' ? undefined : new OutputTail(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const wantLines = options.onLine !== undefined || options.reporter !== undefined;
  const secrets = options.secrets ?? [];
  const source = options.source ?? file;
  const emit = (stream: 'stdout' | 'stderr', lines: string[]) => {
    for (const line of lines) {
      options.onLine?.(line, stream);
      if (options.reporter && line.length > 0)
        options.reporter.emit({ type: 'output', source, stream, line: redact(line, secrets) });
    }
  };
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = child[stream];
    if (!readable) continue;
    const keep = tail !== undefined && (capture === 'all' || stream === 'stderr');
    if (!keep && !wantLines) continue;
    readable.on('data', (chunk: Buffer) => {
      if (keep) tail.push(chunk);
      if (wantLines) emit(stream, splitters[stream].push(chunk));
    });
  }
  if (options.input !== undefined && child.stdin) {
    // The command may exit before reading all of its input; its exit code tells what went wrong.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  }

  let stopReason: 'aborted' | 'timeout' | undefined;
  let forceKill: NodeJS.Timeout | undefined;
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  const stop = (reason: 'aborted' | 'timeout') => {
    if (stopReason) return;
    stopReason = reason;
    kill('SIGTERM');
    forceKill = setTimeout(() => kill('SIGKILL'), options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    forceKill.unref();
  };
  const onAbort = () => stop('aborted');
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), options.timeoutMs);
  const cleanUp = () => {
    if (timer) clearTimeout(timer);
    if (forceKill) clearTimeout(forceKill);
    options.signal?.removeEventListener('abort', onAbort);
  };

  const started = new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.on('error', (error: NodeJS.ErrnoException) => reject(commandStartError(context, error)));
  });
  const finished = new Promise<ProcessExit>((resolve, reject) => {
    let settled = false;
    let running = false;
    child.once('spawn', () => (running = true));
    // A child that cannot start emits 'error' and then 'close': the first one settles.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled || running) return;
      settled = true;
      cleanUp();
      traceEnd({ exitCode: null, signal: null, error: `could not start (${error.code ?? error.message})` });
      reject(commandStartError(context, error));
    });
    child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      cleanUp();
      traceEnd({ exitCode, signal });
      if (wantLines) {
        emit('stdout', splitters.stdout.end());
        emit('stderr', splitters.stderr.end());
      }
      const output = tail?.text() ?? '';
      const truncated = (tail?.dropped ?? 0) > 0;
      if (stopReason === 'aborted')
        return reject(
          commandEndedError(
            context,
            { reason: 'aborted', exitCode, signal, abortReason: options.signal?.reason },
            output,
            truncated,
          ),
        );
      if (stopReason === 'timeout')
        return reject(commandEndedError(context, { reason: 'timeout', exitCode, signal }, output, truncated));
      if (exitCode === 0 || options.reject === false) return resolve({ exitCode, signal });
      reject(commandEndedError(context, { reason: signal ? 'signal' : 'exit', exitCode, signal }, output, truncated));
    });
  });
  started.catch(() => undefined);
  finished.catch(() => undefined);
  return { child, started, finished };
}

/** What a run-to-completion returns. */
export interface RunResult {
  /** stdout as text, without its final line break. */
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as bytes, exactly (blobs, NUL-separated lists). */
  readonly stdoutBytes: Buffer;
  /** 0, or what the command ended with when `reject` is false. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
}

export interface RunProcessOptions extends ProcessOptions {
  /** Bytes written to the command's stdin (otherwise stdin is empty). */
  input?: string | Uint8Array | undefined;
}

function stripFinalNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

function runResult(stdoutBytes: Buffer, stderrBytes: Buffer, exit: ProcessExit, durationMs: number): RunResult {
  let stdout: string | undefined;
  return {
    // Decoded on first read: the hook's git calls want bytes and never pay for the text.
    get stdout() {
      return (stdout ??= stripFinalNewline(stdoutBytes.toString('utf8')));
    },
    stderr: stripFinalNewline(stderrBytes.toString('utf8')),
    stdoutBytes,
    exitCode: exit.exitCode,
    signal: exit.signal,
    durationMs,
  };
}

/** Runs a command to completion through `spawner`, collecting its output. */
export async function runToCompletion(
  file: string,
  args: readonly string[],
  options: RunProcessOptions,
  spawner: Spawner = nodeSpawn,
): Promise<RunResult> {
  const startedAt = performance.now();
  const spawned = spawnProcess(
    file,
    args,
    { ...options, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] },
    spawner,
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  spawned.child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  spawned.child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  const exit = await spawned.finished;
  return runResult(Buffer.concat(out), Buffer.concat(err), exit, performance.now() - startedAt);
}

export type RunSyncOptions = Omit<RunProcessOptions, 'signal' | 'killProcessGroup' | 'onLine' | 'reporter' | 'source'>;

/**
 * Runs a command to completion synchronously, for the few callers that cannot wait (a `ps` in a
 * synchronous liveness check). Same options (but no abort or streaming) and the same errors.
 */
export function runCommandSync(file: string, args: readonly string[], options: RunSyncOptions): RunResult {
  const context = commandContext(file, args, options);
  const traceEnd = traceCommand(context);
  const startedAt = performance.now();
  const result = spawnSync(file, [...args], {
    cwd: options.cwd,
    env: childEnv(options),
    input: options.input,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: options.timeoutMs,
    killSignal: 'SIGKILL',
    uid: options.uid,
    gid: options.gid,
    maxBuffer: 256 * 1024 * 1024,
    windowsHide: true,
  });
  const error = result.error as NodeJS.ErrnoException | undefined;
  traceEnd(
    error && error.code !== 'ETIMEDOUT'
      ? { exitCode: null, signal: null, error: `could not start (${error.code ?? error.message})` }
      : { exitCode: result.status, signal: result.signal },
  );
  if (error && error.code !== 'ETIMEDOUT') throw commandStartError(context, error);
  const stdout = result.stdout ?? Buffer.alloc(0);
  const stderr = result.stderr ?? Buffer.alloc(0);
  const exit = { exitCode: result.status, signal: result.signal };
  if (error || (exit.exitCode !== 0 && options.reject !== false)) {
    // Not interleaved: a synchronous run gets the two streams apart.
    const tail = new OutputTail(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    tail.push(stdout);
    tail.push(stderr);
    throw commandEndedError(
      context,
      { reason: error ? 'timeout' : exit.signal ? 'signal' : 'exit', ...exit },
      tail.text(),
      tail.dropped > 0,
    );
  }
  return runResult(stdout, stderr, exit, performance.now() - startedAt);
}
