import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolchainCacheDir, type ToolName } from '@devkit/toolchain';

/**
 * The real pnpm and Node builds the tests run, exact versions from the npm registry, through
 * `@devkit/toolchain`'s provisioning: integrity-checked against the registry and kept in the
 * toolchain cache `devkit bootstrap` and tools/bootstrap.sh share, so a CI rerun downloads
 * nothing.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** pnpm 11 and later need Node ≥ 22.13; this is the official build they run on when the tests' Node is older. */
export const ORACLE_NODE_VERSION = '24.22.3';

/** A program to spawn: `file` with `args` before the caller's own, and the PATH entry it wants first. */
export interface ToolCommand {
  file: string;
  args: string[];
  /** A folder to put first on PATH (the Node build pnpm runs on), when there is one. */
  pathPrepend?: string;
  version: string;
}

export function pnpmMajor(version: string): number {
  const major = Number(/^(\d+)\.\d+\.\d+/.exec(version)?.[1]);
  if (!Number.isInteger(major)) throw new Error(`not an exact pnpm version: ${version}`);
  return major;
}

/** Whether this process's Node meets pnpm's `engines.node`, a single `>=x.y[.z]` floor. */
function nodeSatisfies(range: string | undefined): boolean {
  const floor = range && /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(range.trim());
  if (!floor) return true;
  const want = [Number(floor[1]), Number(floor[2]), Number(floor[3] ?? 0)];
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  return true;
}

/** The cached folder of `tool@version`, downloaded first when absent. */
export async function provisionTool(tool: ToolName, version: string, env = process.env): Promise<string> {
  // loaded on first use: most tests import test-utils and never provision anything
  const { npmRegistry, provisionVersion } = await import('@devkit/toolchain/provision');
  const cached = await provisionVersion(tool, version, 'a devkit test', {
    cacheDir: toolchainCacheDir(env),
    registry: npmRegistry(REPO_ROOT, env),
  });
  return cached.dir;
}

/** The `node` binary of an official Node build from the npm registry. */
export async function provisionNode(version: string, env = process.env): Promise<string> {
  return join(await provisionTool('node', version, env), 'bin/node');
}

/**
 * The command that runs pnpm `version` exactly: the standalone executable for pnpm 12 and
 * later, `node bin/pnpm.cjs` before, on this process's Node when pnpm's `engines.node` allows
 * it and on the official Node {@link ORACLE_NODE_VERSION} build otherwise.
 */
export async function provisionPnpm(version: string, env = process.env): Promise<ToolCommand> {
  const dir = await provisionTool('pnpm', version, env);
  if (pnpmMajor(version) >= 12) return { file: join(dir, 'pnpm'), args: [], version };
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const script = join(dir, 'bin/pnpm.cjs');
  if (nodeSatisfies(manifest.engines?.node)) return { file: process.execPath, args: [script], version };
  const node = await provisionNode(ORACLE_NODE_VERSION, env);
  return { file: node, args: [script], pathPrepend: join(node, '..'), version };
}
