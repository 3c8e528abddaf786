// The exact pnpm (and the Node it needs) a benchmark runs as its peer, from devkit's shared
// toolchain cache (`${DEVKIT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/devkit}/toolchains/`),
// provisioned by devkit's own toolchain package when missing. Needs a build first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './harness.mjs';

/** The official Node build pnpm 11 and later run on when the bench's own Node is older than they need. */
export const NODE_FOR_NEW_PNPM = '24.22.3';

const toolchainModule = (file) => import(pathToFileURL(join(REPO_ROOT, 'packages/toolchain/dist', file)).href);

/** The cached folder of `tool@version` (`node` or `pnpm`), fetched from the npm registry once. */
export async function ensureTool(tool, version) {
  const [{ provisionVersion, npmRegistry }, { toolchainCacheDir }] = await Promise.all([
    toolchainModule('toolchain.js'),
    toolchainModule('index.js'),
  ]);
  const { dir } = await provisionVersion(tool, version, 'bench', {
    cacheDir: toolchainCacheDir(process.env),
    registry: npmRegistry(REPO_ROOT, process.env),
  });
  return dir;
}

function atLeast(version, major, minor) {
  const [have, haveMinor] = version.split('.').map(Number);
  return have > major || (have === major && haveMinor >= minor);
}

/**
 * The Node a benchmark runs devkit (and a Node-based peer) on: BENCH_NODE (an exact version, or
 * `current` for the Node running the bench), else the repo's pin (.node-version), the Node
 * devkit is developed and released on. `{ path, version }`.
 */
export async function benchNode() {
  const wanted = process.env.BENCH_NODE ?? readFileSync(join(REPO_ROOT, '.node-version'), 'utf8').trim();
  if (wanted === 'current' || wanted === process.versions.node)
    return { path: process.execPath, version: process.versions.node };
  return { path: join(await ensureTool('node', wanted), 'bin/node'), version: wanted };
}

/**
 * How to run pnpm@version: `{ cmd, args, env, node }`, args before pnpm's own. Up to 11 the
 * `pnpm` package's bin/pnpm.cjs on the given Node, or on Node 24 when that is older than pnpm
 * needs (11 needs ≥ 22.13); from 12 the standalone executable of `@pnpm/exe`.
 */
export async function pnpmCommand(version, node = { path: process.execPath, version: process.versions.node }) {
  const dir = await ensureTool('pnpm', version);
  const major = Number(version.split('.')[0]);
  if (major >= 12) return { cmd: join(dir, 'pnpm'), args: [], env: {}, node: undefined, version };
  let runtime = node;
  if (major >= 11 && !atLeast(node.version, 22, 13))
    runtime = { path: join(await ensureTool('node', NODE_FOR_NEW_PNPM), 'bin/node'), version: NODE_FOR_NEW_PNPM };
  // the Node it runs on first on PATH, for anything pnpm starts itself
  const env = { PATH: `${join(runtime.path, '..')}:${process.env.PATH}` };
  return { cmd: runtime.path, args: [join(dir, 'bin/pnpm.cjs')], env, node: runtime.version, version };
}
