import { constants } from 'node:os';
import { isDevkitError, setCommandTracer, silentReporter, StepFailedError, type Reporter } from '@devkit/core';
import { devkitVersion } from '@devkit/core/install';
import { createCiRecorder, inGithubActions } from './ci/facts.js';
import { COMMANDS } from './command-tree.js';
import { colorEnabled, colorFlagOf } from './color.js';
import { resolveCwd } from './cwd.js';
import { stampJson } from './json-output.js';
import { formatHelp, parseArgv } from './parse.js';
import { progressInterval } from './progress.js';
import { createHumanReporter, createStyle } from './render.js';
import type { CommandInput, HandlerIO } from './spec.js';
import { createCommandTrace, debugFromEnv } from './trace.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The only place that touches argv, the console, TTYs and exit codes.
 * Returns the exit code instead of exiting so that tests can call it in-process.
 */
export async function main(
  argv: readonly string[],
  streams = { stdout: process.stdout, stderr: process.stderr },
  env = process.env,
): Promise<number> {
  const tty = {
    stdout: Boolean((streams.stdout as { isTTY?: boolean }).isTTY),
    stderr: Boolean((streams.stderr as { isTTY?: boolean }).isTTY),
  };
  // Each stream is styled by its own rules (color.ts): a redirected stdout gets plain text even
  // when stderr is a terminal.
  const colorFlag = colorFlagOf(argv);
  const style = createStyle(colorEnabled(tty.stdout, env, colorFlag));
  const errStyle = createStyle(colorEnabled(tty.stderr, env, colorFlag));
  const jsonWanted = argv.includes('--json');
  // Every --json document goes through here, stamped with `ok` and `schemaVersion`.
  const printJson = (value: unknown, exitCode: number) =>
    streams.stdout.write(`${JSON.stringify(stampJson(value, exitCode), null, 2)}\n`);

  const fail = (error: unknown, extra: Record<string, unknown> = {}): number => {
    if (isDevkitError(error)) {
      if (jsonWanted) printJson({ ...extra, error: error.toJSON() }, error.exitCode);
      else {
        streams.stderr.write(`${errStyle.red(`error ${error.code}`)}: ${error.message}\n`);
        if (error.hint) streams.stderr.write(`${errStyle.dim('fix:')} ${error.hint}\n`);
      }
      return error.exitCode;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    if (jsonWanted)
      printJson(
        { ...extra, error: { code: 'E_INTERNAL', message: error instanceof Error ? error.message : String(error) } },
        1,
      );
    streams.stderr.write(
      `${errStyle.red('internal error')} (a bug in devkit; please report it with this output):\n${message}\n`,
    );
    return 1;
  };

  let parsed;
  try {
    parsed = parseArgv(argv, COMMANDS);
  } catch (error) {
    return fail(error);
  }
  if (parsed.kind === 'version') {
    if (parsed.json) printJson({ version: devkitVersion() }, 0);
    else streams.stdout.write(`${devkitVersion()}\n`);
    return 0;
  }
  if (parsed.kind === 'help') {
    // Under --json even the help is a document, so stdout always parses.
    const text = formatHelp(parsed.command, parsed.path);
    if (jsonWanted) printJson({ command: ['devkit', ...parsed.path].join(' '), help: text }, 0);
    else streams.stdout.write(`${text}\n`);
    return 0;
  }

  let cwd: string;
  try {
    cwd = resolveCwd(parsed.cwd);
  } catch (error) {
    return fail(error);
  }

  const human = parsed.json ? undefined : createHumanReporter(streams, tty, errStyle, progressInterval(env), style);
  const reporter: Reporter = human ?? silentReporter;
  const ci = createCiRecorder();
  // --verbose (or DEVKIT_DEBUG=1): every command core runs, on stderr, also under --json.
  if (parsed.verbose || debugFromEnv(env))
    setCommandTracer(createCommandTrace((text) => void streams.stderr.write(text), errStyle, env));
  // The stop signal that aborted a handler's work, and the abort's reason: a handler that lets
  // that abort through (rather than turning it into a result or an error of its own) ends the
  // way the signal would have ended it, with exit code 128 + the signal's number.
  let interrupted: { signal: NodeJS.Signals; reason: Error } | undefined;
  const isInterrupt = (error: unknown): boolean =>
    interrupted !== undefined &&
    (error === interrupted.reason || (error instanceof Error && error.cause === interrupted.reason));
  const io: HandlerIO = {
    reporter,
    notice: (message) => {
      if (!parsed.json) streams.stderr.write(`${errStyle.cyan('note')}: ${message}\n`);
    },
    withInterrupt: async (work) => {
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (controller.signal.aborted) return;
        const reason = new Error(`interrupted by ${signal}`);
        interrupted = { signal, reason };
        controller.abort(reason);
      };
      for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
      try {
        return await work(controller.signal);
      } finally {
        for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      }
    },
    write: (text) => void streams.stdout.write(text),
    ask: async (question) => {
      if (parsed.json || !tty.stderr || !process.stdin.isTTY) return undefined;
      // Loaded only when a question is asked: most commands never ask one.
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: streams.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    ci,
  };
  const input: CommandInput = {
    args: parsed.args,
    flags: parsed.flags,
    cwd,
    json: parsed.json,
    env,
    tty,
  };
  // How the command ended, for CI: its exit code, and the error when it failed.
  let ended: { exitCode: number; error?: unknown } = { exitCode: 1 };
  try {
    const handler = await parsed.command.load!();
    const result = await handler.run(input, io);
    ended = { exitCode: result.exitCode };
    if (parsed.json) printJson(result.data, result.exitCode);
    else {
      const lines = result.human(style);
      if (lines.length > 0) streams.stdout.write(`${lines.join('\n')}\n`);
    }
    return result.exitCode;
  } catch (error) {
    const cause = error instanceof StepFailedError ? error.cause : error;
    ended = { exitCode: isDevkitError(cause) ? cause.exitCode : 1, error: cause };
    if (interrupted && isInterrupt(error instanceof StepFailedError ? error.cause : error)) {
      const message = `${interrupted.reason.message}; what had started was stopped and cleaned up`;
      const exitCode = 128 + (constants.signals[interrupted.signal] ?? 2);
      ended.exitCode = exitCode;
      if (jsonWanted) printJson({ error: { code: 'E_INTERRUPTED', message } }, exitCode);
      else streams.stderr.write(`${errStyle.red('interrupted')}: ${message}\n`);
      return exitCode;
    }
    if (error instanceof StepFailedError) return fail(error.cause, { steps: error.reports });
    return fail(error);
  } finally {
    human?.close();
    setCommandTracer(undefined);
    if (inGithubActions(env)) {
      // Loaded only in GitHub Actions. Annotations go to stdout after the human output, or to
      // stderr under --json so stdout stays one JSON document (the runner reads both).
      const { publishToGithub } = await import('./ci/github.js');
      const problem = publishToGithub(
        { ...ci, outcome: { command: parsed.path.join(' '), ...ended }, cwd: input.cwd },
        parsed.json ? streams.stderr : streams.stdout,
        env,
      );
      if (problem && !parsed.json) streams.stderr.write(`${errStyle.yellow('warning')}: ${problem}\n`);
    }
  }
}
