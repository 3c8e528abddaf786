// The light half of the toolchain: which provisioned node and pnpm a checkout runs, read from
// `.devkit/toolchain.json` without semver, the registry or devkit's other packages, so that
// `devkit exec` and every command's PATH set-up cost a few stat calls.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

/** The files pins are read from, relative to the repo root (see pins.ts). */
export const PIN_FILE_NAMES = [
  'package.json',
  '.node-version',
  '.nvmrc',
  'devkit.json',
  'pnpm-workspace.yaml',
  '.npmrc',
] as const;

/** Where a node pin read from the lockfile (a `runtime:` pnpm resolved) says it came from. */
export const LOCKFILE_PIN = 'pnpm-lock.yaml';

const STATE_FORMAT = 1;

/** One tool as the checkout runs it. */
export interface ActiveTool {
  version: string;
  /** `cache`: provisioned by devkit; `host`: the machine's own, which satisfies the pins. */
  from: 'cache' | 'host';
  /** Where the pin came from: "package.json packageManager". */
  pinnedBy: string;
}

/** What `.devkit/toolchain.json` records: the resolved pins and the folder put first on PATH. */
export interface ActiveToolchainState {
  format: number;
  /** The pin files' identity (and PATH, when a host tool was chosen) the resolution is valid for. */
  key: string;
  /** Holds `node` and `pnpm` (and `pnpx`) for the provisioned tools; undefined when none is. */
  shimDir: string | undefined;
  node: ActiveTool | undefined;
  pnpm: ActiveTool | undefined;
}

/** Same rule as @devkit/config's findRoot: the nearest folder with devkit.json or pnpm-workspace.yaml. */
export function findRepoRoot(cwd: string): string {
  const start = resolve(cwd);
  for (let dir = start; ;) {
    if (existsSync(join(dir, 'devkit.json')) || existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

/** `${DEVKIT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/devkit}`. */
export function devkitCacheBase(env: NodeJS.ProcessEnv): string {
  return env.DEVKIT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'devkit');
}

/** Where shim folders live: `<devkit cache>/shims/<node+pnpm>/`. */
export function shimsRoot(env: NodeJS.ProcessEnv): string {
  return join(devkitCacheBase(env), 'shims');
}

/** PATH without devkit's shim folders: what the machine itself offers. */
export function hostPath(env: NodeJS.ProcessEnv): string {
  const shims = shimsRoot(env) + '/';
  return (env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !`${entry}/`.startsWith(shims))
    .join(delimiter);
}

export function statePath(root: string): string {
  return join(root, '.devkit', 'toolchain.json');
}

/**
 * What a resolution depends on: each pin file's identity (inode, size, mtime), the cache
 * folder, and — only when a tool was taken from the machine — PATH without devkit's shims.
 */
export function stateKey(
  root: string,
  env: NodeJS.ProcessEnv,
  hostChosen: boolean,
  state: Pick<ActiveToolchainState, 'node'>,
): string {
  const parts = [String(STATE_FORMAT), devkitCacheBase(env)];
  // The lockfile changes with every dependency: it counts only when it pins node itself.
  const files = state.node?.pinnedBy.startsWith(LOCKFILE_PIN) ? [...PIN_FILE_NAMES, LOCKFILE_PIN] : PIN_FILE_NAMES;
  for (const name of files) {
    try {
      const stat = statSync(join(root, name));
      parts.push(`${name}:${stat.ino}:${stat.size}:${stat.mtimeMs}`);
    } catch {
      parts.push(`${name}:-`);
    }
  }
  if (hostChosen) parts.push(`PATH=${hostPath(env)}`);
  return parts.join('\n');
}

/**
 * The checkout's resolved toolchain, when it is still valid: no pin file changed since it was
 * resolved and the shim folder is still there. Undefined otherwise (resolve again).
 */
export function readActiveToolchain(root: string, env: NodeJS.ProcessEnv): ActiveToolchainState | undefined {
  let state: ActiveToolchainState;
  try {
    state = JSON.parse(readFileSync(statePath(root), 'utf8')) as ActiveToolchainState;
  } catch {
    return undefined;
  }
  if (state.format !== STATE_FORMAT) return undefined;
  const hostChosen = state.node?.from === 'host' || state.pnpm?.from === 'host';
  if (state.key !== stateKey(root, env, hostChosen, state)) return undefined;
  if (state.shimDir !== undefined && !existsSync(join(state.shimDir, '.complete'))) return undefined;
  return state;
}

/** PATH with the shim folder first and no other devkit shim folder in it. */
export function toolchainPath(state: Pick<ActiveToolchainState, 'shimDir'>, env: NodeJS.ProcessEnv): string {
  const rest = hostPath(env);
  return state.shimDir ? (rest ? `${state.shimDir}${delimiter}${rest}` : state.shimDir) : (env.PATH ?? '');
}
