// `devkit exec` without loading the command tree: bin.ts comes here first, and only when the
// checkout's resolved toolchain is recorded and still valid does the command start from here
// (a few stat calls after Node's own start). Anything else goes the ordinary way, through main.
import { resolve } from 'node:path';
import { findRepoRoot, readActiveToolchain, toolchainPath } from '@devkit/toolchain/active';
import { runForwardingSignals } from './exec-run.js';

/**
 * The command of `devkit exec [--cwd <dir>] -- <cmd> [args…]` when argv has exactly that shape,
 * else undefined (help, JSON, a missing `--`: the full parser answers those).
 */
function parseExec(argv: readonly string[]): { cwd: string | undefined; command: string[] } | undefined {
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
  return { cwd, command: argv.slice(i + 1) };
}

/** Runs `devkit exec` on the fast path and returns its exit code, or undefined to go the ordinary way. */
export async function execFast(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const parsed = parseExec(argv);
  if (!parsed) return undefined;
  const cwd = resolve(parsed.cwd ?? process.cwd());
  const state = readActiveToolchain(findRepoRoot(cwd), env);
  if (!state) return undefined;
  const [file, ...args] = parsed.command as [string, ...string[]];
  return runForwardingSignals(file, args, { cwd, env: { ...env, PATH: toolchainPath(state, env) } });
}
