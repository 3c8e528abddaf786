import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The real pnpm and Node builds the tests run, from the npm registry, kept in the toolchain
 * cache `devkit bootstrap` and tools/bootstrap.sh share:
 * `${DEVKIT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/devkit}/toolchains/<tool>/<version>/`.
 * A version folder exists only when complete (extracted beside it, then renamed into place,
 * with `.devkit-toolchain.json` written first), so a CI rerun downloads nothing and two test
 * workers fetching the same version at once both end up with one good folder.
 */

const REGISTRY = 'https://registry.npmjs.org';
/** pnpm 11 and later need Node ≥ 22.13; this is the official build they run on when the tests' Node is older. */
export const ORACLE_NODE_VERSION = '24.22.3';

export type ToolName = 'node' | 'pnpm';

/** What `.devkit-toolchain.json` records about a cached version. */
export interface CachedToolchain {
  name: string;
  version: string;
  integrity: string;
  platform: string;
}

/** A program to spawn: `file` with `args` before the caller's own, and the PATH entry it wants first. */
export interface ToolCommand {
  file: string;
  args: string[];
  /** A folder to put first on PATH (the Node build pnpm runs on), when there is one. */
  pathPrepend?: string;
  version: string;
}

export function toolchainCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.DEVKIT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'devkit');
  return join(base, 'toolchains');
}

const platform = `${process.platform}-${process.arch}`;

/** The npm package holding `tool@version` for this machine. */
export function toolPackage(tool: ToolName, version: string): string {
  if (tool === 'node') return `node-${platform}`;
  if (pnpmMajor(version) < 12) return 'pnpm';
  // pnpm 12 ships standalone executables only; the registry has them for glibc Linux on x64
  if (process.platform !== 'linux')
    throw new Error(`no standalone pnpm ${version} for ${platform} in the npm registry`);
  return `@pnpm/exe.linux-${process.arch}`;
}

export function pnpmMajor(version: string): number {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  if (!Number.isInteger(major)) throw new Error(`not an exact pnpm version: ${version}`);
  return major;
}

interface RegistryVersion {
  dist: { integrity: string; tarball: string };
}

/**
 * The cached folder of `tool@version`, downloading it first when absent. The tarball must
 * match the integrity the registry publishes for it, or nothing is cached.
 */
export async function provisionToolchain(tool: ToolName, version: string): Promise<string> {
  const dir = join(toolchainCacheDir(), tool, version);
  if (existsSync(join(dir, '.devkit-toolchain.json'))) return dir;
  const name = toolPackage(tool, version);
  const metaResponse = await fetch(`${REGISTRY}/${name}/${version}`);
  if (!metaResponse.ok) throw new Error(`${name}@${version}: the npm registry answered ${metaResponse.status}`);
  const meta = (await metaResponse.json()) as RegistryVersion;
  const tarballResponse = await fetch(meta.dist.tarball);
  if (!tarballResponse.ok) throw new Error(`${meta.dist.tarball}: the npm registry answered ${tarballResponse.status}`);
  const tarball = Buffer.from(await tarballResponse.arrayBuffer());
  const [algorithm, expected] = meta.dist.integrity.split('-', 2) as [string, string];
  const actual = createHash(algorithm).update(tarball).digest('base64');
  if (actual !== expected)
    throw new Error(
      `${name}@${version}: tarball integrity ${algorithm}-${actual} is not the registry's ${meta.dist.integrity}`,
    );

  mkdirSync(join(toolchainCacheDir(), tool), { recursive: true });
  const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(temp);
  try {
    // npm tarballs hold one `package/` folder; ownership is the extracting user's, modes are kept
    execFileSync('tar', ['-xzf', '-', '-C', temp, '--strip-components=1', '--no-same-owner'], {
      input: tarball,
      stdio: ['pipe', 'ignore', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const record: CachedToolchain = { name, version, integrity: meta.dist.integrity, platform };
    writeFileSync(join(temp, '.devkit-toolchain.json'), `${JSON.stringify(record, null, 2)}\n`);
    try {
      renameSync(temp, dir);
    } catch (error) {
      // another worker renamed its complete copy into place first: use that one
      if (!existsSync(join(dir, '.devkit-toolchain.json'))) throw error;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return dir;
}

/** The `node` binary of an official Node build from the npm registry. */
export async function provisionNode(version: string): Promise<string> {
  return join(await provisionToolchain('node', version), 'bin/node');
}

function nodeSatisfies(required: string | undefined): boolean {
  // pnpm's engines.node is a single `>=x.y` (or `>=x.y.z`) floor
  const floor = required && /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(required.trim());
  if (!floor) return true;
  const want = [Number(floor[1]), Number(floor[2]), Number(floor[3] ?? 0)];
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  return true;
}

/**
 * The command that runs pnpm `version` exactly: the standalone executable for pnpm 12 and
 * later, `node bin/pnpm.cjs` before, on this process's Node when pnpm's `engines.node` allows
 * it and on the official Node {@link ORACLE_NODE_VERSION} build otherwise.
 */
export async function provisionPnpm(version: string): Promise<ToolCommand> {
  const dir = await provisionToolchain('pnpm', version);
  if (pnpmMajor(version) >= 12) return { file: join(dir, 'pnpm'), args: [], version };
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const script = join(dir, 'bin/pnpm.cjs');
  if (nodeSatisfies(manifest.engines?.node)) return { file: process.execPath, args: [script], version };
  const node = await provisionNode(ORACLE_NODE_VERSION);
  return { file: node, args: [script], pathPrepend: join(node, '..'), version };
}
