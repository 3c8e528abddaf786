// `devkit exec` without loading the command tree: bin.ts comes here first, and only when the
// checkout's resolved toolchain is recorded and still valid does the command start from here
// (a few stat calls after Node's own start). Anything else goes the ordinary way, through main.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { findRepoRoot, readActiveToolchain, toolchainPath } from '@devkit/toolchain/active';

/**
 * The command of `devkit exec [--cwd <dir>] -- <cmd> [args…]` when argv has exactly that shape,
 * else undefined (help, JSON, a missing `--`: the full parser answers those).
 */
function parseExec(argv: readonly string[]): { cwd: string | undefined; command: [string, ...string[]] } | undefined {
  if (argv[0] !== 'exec') return undefined;
  let i = 1;
  let cwd: string | undefined;
  if (argv[i] === '--cwd' && argv[i + 1] !== undefined) {
    cwd = argv[i + 1];
    i += 2;
  } else if (argv[i]?.startsWith('--cwd=')) {
    cwd = argv[i]!.slice('--cwd='.length);
    i += 1;
  }
  if (argv[i] !== '--' || argv.length <= i + 1) return undefined;
  return { cwd, command: argv.slice(i + 1) as [string, ...string[]] };
}

/** The program `file` names, as execvp would find it: a path, or the first executable on PATH. */
export function findExecutable(file: string, path: string, cwd: string): string | undefined {
  const candidates = file.includes('/')
    ? [resolve(cwd, file)]
    : path.split(delimiter).map((dir) => join(resolve(cwd, dir || '.'), file));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** Runs `devkit exec` on the fast path and returns its exit code, or undefined to go the ordinary way. */
export async function execFast(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const parsed = parseExec(argv);
  if (!parsed) return undefined;
  const cwd = resolve(parsed.cwd ?? process.cwd());
  // A --cwd that is not a folder: the ordinary way says so (exit 2).
  if (!isFolder(cwd)) return undefined;
  const state = readActiveToolchain(findRepoRoot(cwd), env);
  if (!state) return undefined;
  const [file, ...args] = parsed.command;
  const childEnv = { ...env, PATH: toolchainPath(state, env) };
  const execve = (process as { execve?: Execve }).execve;
  if (typeof execve === 'function' && process.platform !== 'win32') {
    // Node 22.15 and later can become the command (execve): no second process to start, and
    // its exit code and signals are its own, with nothing in between.
    const program = findExecutable(file, childEnv.PATH, cwd);
    if (!program) {
      process.stderr.write(`error E_BINARY_MISSING: ${file} is not on PATH (nor a path to a program)\n`);
      return 127;
    }
    // The process is about to become the command: its working folder is the command's.
    if (cwd !== process.cwd()) process.chdir(cwd);
    execve.call(process, program, [file, ...args], childEnv);
  }
  const { runForwardingSignals } = await import('./exec-run.js');
  return runForwardingSignals(file, args, { cwd, env: childEnv });
}
