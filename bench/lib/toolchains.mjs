// The exact pnpm (and the Node it needs) a benchmark runs as its peer, from devkit's shared
// toolchain cache (`${DEVKIT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/devkit}/toolchains/`),
// provisioned by devkit's own toolchain package when missing. Needs a build first.
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

function nodeAtLeast(major, minor) {
  const [have, haveMinor] = process.versions.node.split('.').map(Number);
  return have > major || (have === major && haveMinor >= minor);
}

/**
 * How to run pnpm@version: `{ cmd, args, env, node }`, args before pnpm's own. Up to 11 the
 * `pnpm` package's bin/pnpm.cjs on a Node it supports (11 needs ≥ 22.13); from 12 the standalone
 * executable of `@pnpm/exe`.
 */
export async function pnpmCommand(version) {
  const dir = await ensureTool('pnpm', version);
  const major = Number(version.split('.')[0]);
  if (major >= 12) return { cmd: join(dir, 'pnpm'), args: [], env: {}, node: undefined, version };
  let node = process.execPath;
  if (major >= 11 && !nodeAtLeast(22, 13)) node = join(await ensureTool('node', NODE_FOR_NEW_PNPM), 'bin/node');
  const nodeVersion = node === process.execPath ? process.versions.node : NODE_FOR_NEW_PNPM;
  // the Node it runs on first on PATH, for anything pnpm starts itself
  const env = { PATH: `${join(node, '..')}:${process.env.PATH}` };
  return { cmd: node, args: [join(dir, 'bin/pnpm.cjs')], env, node: nodeVersion, version };
}
