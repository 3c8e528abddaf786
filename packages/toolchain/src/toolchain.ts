import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import semver from 'semver';
import { machineError, runCommand, sha256, usageError, writeFileAtomic, type Reporter } from '@devkit/core';
import {
  hostPath,
  readActiveToolchain,
  shimsRoot,
  stateKey,
  statePath,
  toolchainPath,
  type ActiveTool,
  type ActiveToolchainState,
} from './active.js';
import { cachedVersions, toolchainCacheDir, toolPackage, versionDir } from './cache.js';
import { findPnpm, pnpmVersion } from './detect.js';
import {
  describePin,
  newestSatisfying,
  readPins,
  satisfiesPins,
  type PinConfig,
  type RepoPins,
  type ToolName,
  type WantedTool,
} from './pins.js';
import { provisionVersion, type CachedTool } from './provision.js';
import { fetchPackument, npmRegistry, type Packument } from './registry.js';

/** A tool found on the machine's PATH (devkit's shims left out). */
export interface HostTool {
  version: string;
  path: string;
}

/** What planning looks at: the complete versions in the cache and the machine's own tools. */
export interface ToolchainFacts {
  cached: Record<ToolName, string[]>;
  host: Record<ToolName, HostTool | undefined>;
}

/** How one pinned tool is made available. */
export interface ToolChoice {
  tool: ToolName;
  /** `host`: the machine's own satisfies the pins; `cache`: complete in the cache; `download`: from the registry. */
  from: 'host' | 'cache' | 'download';
  /** The version; undefined for a range that the registry resolves when downloading. */
  version: string | undefined;
  wanted: WantedTool;
  /** Where the pin came from: "package.json packageManager". */
  pinnedBy: string;
  /** One line on why: what is pinned, and what the machine or the cache has. */
  reason: string;
}

export interface ToolchainPlan {
  node: ToolChoice | undefined;
  pnpm: ToolChoice | undefined;
}

function asked(wanted: WantedTool): string {
  return wanted.exact
    ? `${describePin(wanted.source)} pins ${wanted.tool} ${wanted.exact}`
    : `${describePin(wanted.source)} asks for ${wanted.tool} ${wanted.pins.map((p) => p.raw.trim()).join(' and ')}`;
}

function onPath(tool: ToolName, host: HostTool | undefined): string {
  return host ? `${tool} on PATH is ${host.version}` : `there is no ${tool} on PATH`;
}

/**
 * Pure: how each pinned tool is made available. An exact pin takes the machine's own tool when
 * it is that very version, else the cache's copy, else a download. A range (or engines alone)
 * takes the machine's own tool when it satisfies every pin, else the newest satisfying version in
 * the cache, else the newest published one: so a range never downloads what the machine has,
 * and a warm cache answers without the registry.
 */
export function planToolchain(pins: Pick<RepoPins, 'node' | 'pnpm'>, facts: ToolchainFacts): ToolchainPlan {
  const choose = (wanted: WantedTool | undefined): ToolChoice | undefined => {
    if (!wanted) return undefined;
    const { tool } = wanted;
    const host = facts.host[tool];
    const pinnedBy = describePin(wanted.source);
    const base = { tool, wanted, pinnedBy };
    if (wanted.exact) {
      if (host && semver.valid(host.version) && semver.eq(host.version, wanted.exact))
        return { ...base, from: 'host', version: host.version, reason: `${asked(wanted)}; ${onPath(tool, host)}` };
      if (facts.cached[tool].includes(wanted.exact))
        return {
          ...base,
          from: 'cache',
          version: wanted.exact,
          reason: `${asked(wanted)}; provisioned in the toolchain cache (${onPath(tool, host)})`,
        };
      return { ...base, from: 'download', version: wanted.exact, reason: `${asked(wanted)}; ${onPath(tool, host)}` };
    }
    if (host && semver.valid(host.version) && satisfiesPins(wanted, host.version))
      return { ...base, from: 'host', version: host.version, reason: `${asked(wanted)}; ${onPath(tool, host)}` };
    const cached = newestSatisfying(wanted, facts.cached[tool]);
    if (cached)
      return {
        ...base,
        from: 'cache',
        version: cached,
        reason: `${asked(wanted)}; ${cached} is in the toolchain cache (${onPath(tool, host)})`,
      };
    return { ...base, from: 'download', version: undefined, reason: `${asked(wanted)}; ${onPath(tool, host)}` };
  };
  return { node: choose(pins.node), pnpm: choose(pins.pnpm) };
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The version of the `node` on PATH: this process's own when it is the same binary, else asked. */
async function hostNode(env: NodeJS.ProcessEnv, cwd: string): Promise<HostTool | undefined> {
  const path = findOnPath('node', hostPath(env));
  if (!path) return undefined;
  try {
    if (realpathSync(path) === realpathSync(process.execPath)) return { version: process.versions.node, path };
    const { stdout } = await runCommand(path, ['-p', 'process.versions.node'], {
      cwd,
      env: { ...env, NODE_OPTIONS: '' },
      engine: 'node',
      timeoutMs: 30_000,
    });
    const version = stdout.trim();
    return semver.valid(version) ? { version, path } : undefined;
  } catch {
    return undefined;
  }
}

/** The `pnpm` on PATH and its version; corepack's shim counts as none (devkit never calls corepack). */
async function hostPnpm(env: NodeJS.ProcessEnv, cwd: string): Promise<HostTool | undefined> {
  const install = findPnpm({ ...env, PATH: hostPath(env) });
  if (!install.path || !install.realPath || /[\\/]corepack[\\/]/.test(install.realPath)) return undefined;
  try {
    const version = await pnpmVersion(install, cwd, { ...env, PATH: hostPath(env) });
    return version && semver.valid(version) ? { version, path: install.path } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Looks at the cache (directory listings) and, only for what the cache cannot settle, at the
 * machine's own node and pnpm (which may start them once to ask their version).
 */
export async function gatherToolchainFacts(
  pins: Pick<RepoPins, 'node' | 'pnpm'>,
  options: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<ToolchainFacts> {
  const cacheDir = toolchainCacheDir(options.env);
  const cached = { node: cachedVersions(cacheDir, 'node'), pnpm: cachedVersions(cacheDir, 'pnpm') };
  // The machine's node also runs pnpm 9–11 when node is not pinned: always look at it.
  const [node, pnpm] = await Promise.all([
    hostNode(options.env, options.cwd),
    pins.pnpm ? hostPnpm(options.env, options.cwd) : undefined,
  ]);
  return { cached, host: { node, pnpm } };
}

/** The toolchain a checkout runs once provisioned. */
export interface ProvisionedToolchain {
  node: (ActiveTool & { binary: string }) | undefined;
  pnpm: (ActiveTool & { command: string[] }) | undefined;
  /** Put first on PATH: `node`, `pnpm`, `pnpx` of the provisioned tools. */
  shimDir: string | undefined;
  /** What was downloaded this time (empty when everything was there). */
  downloaded: string[];
  /** Why each choice was made. */
  reasons: string[];
  /** What `.devkit/toolchain.json` now records. */
  state: ActiveToolchainState;
}

export interface ProvisionToolchainOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  reporter?: Reporter | undefined;
  signal?: AbortSignal | undefined;
}

/** The newest published version of `wanted` (pnpm ranges resolve on the `pnpm` package, which has every major). */
async function resolveRange(
  wanted: WantedTool,
  options: { registry: ReturnType<typeof npmRegistry>; signal?: AbortSignal | undefined; host?: HostTool | undefined },
): Promise<{ version: string; packument: Packument }> {
  const name = wanted.tool === 'node' ? toolPackage('node', '0.0.0') : 'pnpm';
  const what = `${wanted.tool} matching ${wanted.pins.map((p) => p.raw.trim()).join(' and ')} (${describePin(wanted.source)})`;
  const packument = await fetchPackument(options.registry, name, { signal: options.signal, what });
  const version = newestSatisfying(wanted, Object.keys(packument.versions));
  if (!version) {
    const newest = Object.keys(packument.versions)
      .filter((v) => semver.valid(v) && !semver.prerelease(v))
      .sort(semver.rcompare)[0];
    const { host } = options;
    const unmet = host ? wanted.pins.filter((p) => p.range && !semver.satisfies(host.version, p.range)) : [];
    const what =
      host && unmet.length > 0
        ? `${wanted.tool} ${host.version} does not satisfy ${unmet.map((p) => `${p.raw.trim()} (required by ${describePin(p)})`).join(' and ')}`
        : asked(wanted);
    throw machineError(
      `E_TOOLCHAIN_${wanted.tool.toUpperCase()}`,
      `${what}, and no published ${wanted.tool} does (newest ${name} on ${packument.registry}: ${newest ?? 'none'})`,
      {
        hint: `pin a published ${wanted.tool} in ${describePin(wanted.source)}, e.g. ${newest ?? '24.22.3'}`,
        details: { tool: wanted.tool, pins: wanted.pins.map((p) => ({ file: p.file, key: p.key, value: p.raw })) },
      },
    );
  }
  return { version, packument };
}

/** A pnpm 9–11 entry script (`bin/pnpm.cjs`, or what its package.json names), and pnpx's. */
function pnpmScripts(dir: string): { pnpm: string; pnpx: string | undefined; nodeRange: string | undefined } {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    bin?: Record<string, string>;
    engines?: { node?: string };
  };
  const pnpm = join(dir, manifest.bin?.pnpm ?? 'bin/pnpm.cjs');
  const pnpx = manifest.bin?.pnpx ? join(dir, manifest.bin.pnpx) : undefined;
  return { pnpm, pnpx, nodeRange: manifest.engines?.node };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A folder holding `node` (a link to the provisioned binary) and `pnpm`/`pnpx` (scripts that
 * run the provisioned pnpm with the right node), shared by every checkout that resolves to the
 * same tools. Named after its content and made complete before it is renamed into place.
 */
async function writeShims(
  env: NodeJS.ProcessEnv,
  node: string | undefined,
  pnpm: { command: string[]; pnpx: string[] | undefined } | undefined,
): Promise<string | undefined> {
  if (!node && !pnpm) return undefined;
  const scripts = new Map<string, string>();
  const script = (argv: string[]) => `#!/bin/sh\nexec ${argv.map(shellQuote).join(' ')} "$@"\n`;
  if (pnpm) {
    scripts.set('pnpm', script(pnpm.command));
    if (pnpm.pnpx) scripts.set('pnpx', script(pnpm.pnpx));
  }
  const id = sha256(JSON.stringify({ node, scripts: [...scripts] })).slice(0, 16);
  const dir = join(shimsRoot(env), id);
  if (existsSync(join(dir, '.complete'))) return dir;
  const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(temp, { recursive: true });
  try {
    if (node) await symlink(node, join(temp, 'node'));
    for (const [name, text] of scripts) await writeFile(join(temp, name), text, { mode: 0o755 });
    await writeFile(join(temp, '.complete'), `${JSON.stringify({ node, pnpm: pnpm?.command })}\n`);
    await rename(temp, dir).catch((error: unknown) => {
      // Another run wrote the same shims first: same content, keep theirs.
      if (!existsSync(join(dir, '.complete'))) throw error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Carries out a plan: downloads what it needs (see provisionVersion), picks the node that runs
 * pnpm 9–11 (the pinned one, else the machine's when pnpm's engines allow it, else a provisioned
 * one that does), writes the shim folder and records the result in `.devkit/toolchain.json` so
 * that `devkit exec` and later commands find it with a few stat calls.
 */
export async function provisionToolchain(
  pins: RepoPins,
  plan: ToolchainPlan,
  facts: ToolchainFacts,
  options: ProvisionToolchainOptions,
): Promise<ProvisionedToolchain> {
  const blocking = pins.problems.find((p) => p.severity === 'error');
  if (blocking) throw usageError(blocking.code, blocking.message, { hint: blocking.fix });
  const cacheDir = toolchainCacheDir(options.env);
  const registry = npmRegistry(options.root, options.env);
  const provisionOptions = { cacheDir, registry, reporter: options.reporter, signal: options.signal };
  const downloaded: string[] = [];

  const obtain = async (choice: ToolChoice): Promise<CachedTool> => {
    let version = choice.version;
    let packument: Packument | undefined;
    if (version === undefined)
      ({ version, packument } = await resolveRange(choice.wanted, {
        registry,
        signal: options.signal,
        host: facts.host[choice.tool],
      }));
    // The pnpm packument resolves ranges; pnpm 12 and up come from their own package.
    if (choice.tool === 'pnpm' && Number.parseInt(version, 10) >= 12) packument = undefined;
    const before = existsSync(versionDir(cacheDir, choice.tool, version));
    // packageManager's `+sha512.<hex>` is the digest of the `pnpm` package's tarball (corepack's
    // check); the standalone executables of 12 and up are another package, so it says nothing there.
    const hash = choice.wanted.source.hash;
    const expected =
      choice.tool === 'pnpm' && hash && Number.parseInt(version, 10) < 12
        ? { hash, pinnedBy: choice.pinnedBy }
        : undefined;
    const cached = await provisionVersion(choice.tool, version, choice.pinnedBy, provisionOptions, packument, expected);
    if (!before) downloaded.push(`${choice.tool} ${version}`);
    return cached;
  };

  let node: ProvisionedToolchain['node'];
  if (plan.node?.from === 'host') {
    node = { version: plan.node.version!, from: 'host', pinnedBy: plan.node.pinnedBy, binary: facts.host.node!.path };
  } else if (plan.node) {
    const cached = await obtain(plan.node);
    node = {
      version: cached.version,
      from: 'cache',
      pinnedBy: plan.node.pinnedBy,
      binary: join(cached.dir, 'bin', 'node'),
    };
  }

  let pnpm: ProvisionedToolchain['pnpm'];
  let pnpx: string[] | undefined;
  if (plan.pnpm?.from === 'host') {
    pnpm = {
      version: plan.pnpm.version!,
      from: 'host',
      pinnedBy: plan.pnpm.pinnedBy,
      command: [facts.host.pnpm!.path],
    };
  } else if (plan.pnpm) {
    const cached = await obtain(plan.pnpm);
    const base = { version: cached.version, from: 'cache' as const, pinnedBy: plan.pnpm.pinnedBy };
    if (Number.parseInt(cached.version, 10) >= 12) {
      const exe = join(cached.dir, 'pnpm');
      pnpm = { ...base, command: [exe] };
      pnpx = [exe, 'dlx'];
    } else {
      const scripts = pnpmScripts(cached.dir);
      const runner = await nodeForPnpm(scripts.nodeRange, node, facts, provisionOptions, cached.version, downloaded);
      pnpm = { ...base, command: [runner, scripts.pnpm] };
      pnpx = scripts.pnpx ? [runner, scripts.pnpx] : undefined;
    }
  }

  const shimDir = await writeShims(
    options.env,
    node?.from === 'cache' ? node.binary : undefined,
    pnpm?.from === 'cache' ? { command: pnpm.command, pnpx } : undefined,
  );
  const strip = <T extends ActiveTool>(tool: T | undefined): ActiveTool | undefined =>
    tool && { version: tool.version, from: tool.from, pinnedBy: tool.pinnedBy };
  const chosen = { node: strip(node), pnpm: strip(pnpm) };
  const state: ActiveToolchainState = {
    format: 1,
    key: stateKey(options.root, options.env, node?.from === 'host' || pnpm?.from === 'host', chosen),
    shimDir,
    ...chosen,
  };
  await writeFileAtomic(statePath(options.root), `${JSON.stringify(state, null, 2)}\n`);
  const reasons = [plan.node?.reason, plan.pnpm?.reason].filter((r): r is string => r !== undefined);
  return { node, pnpm, shimDir, downloaded, reasons, state };
}

/**
 * The node that runs pnpm 9–11: the pinned (or machine's) node when it satisfies pnpm's own
 * `engines.node` (pnpm 11 needs ≥ 22.13), else the newest satisfying one in the cache, else the
 * newest published one, provisioned for this purpose only (it is not put on PATH as `node`).
 */
async function nodeForPnpm(
  range: string | undefined,
  node: ProvisionedToolchain['node'],
  facts: ToolchainFacts,
  options: Parameters<typeof provisionVersion>[3],
  pnpmVersionText: string,
  downloaded: string[],
): Promise<string> {
  const fits = (version: string) => !range || semver.satisfies(version, range);
  if (node && fits(node.version)) return node.binary;
  if (!node && facts.host.node && fits(facts.host.node.version)) return facts.host.node.path;
  // pnpm runs scripts with the `node` on PATH (the pinned one); only pnpm itself runs on this one.
  const constraint = {
    tool: 'node' as const,
    file: `pnpm ${pnpmVersionText}`,
    key: 'engines.node',
    raw: range ?? '*',
    range: range ?? '*',
    exact: undefined,
    strength: 'constraint' as const,
  };
  const wanted: WantedTool = {
    tool: 'node',
    exact: undefined,
    pins: [constraint],
    source: constraint,
    constraintOnly: true,
  };
  const cached = newestSatisfying(wanted, facts.cached.node);
  const version =
    cached ?? (await resolveRange(wanted, { registry: options.registry, signal: options.signal })).version;
  const before = existsSync(versionDir(options.cacheDir, 'node', version));
  const tool = await provisionVersion('node', version, `pnpm ${pnpmVersionText} engines.node`, options);
  if (!before) downloaded.push(`node ${version} (to run pnpm ${pnpmVersionText})`);
  return join(tool.dir, 'bin', 'node');
}

/** The environment a command runs in with the checkout's toolchain first on PATH. */
export function toolchainEnv(state: Pick<ActiveToolchainState, 'shimDir'>, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: toolchainPath(state, env) };
}

/** The checkout's toolchain, or why there is none yet. */
export interface ResolvedToolchain {
  /** Undefined when a pinned tool still has to be downloaded and downloading was not allowed. */
  state: ActiveToolchainState | undefined;
  /** The tools that would have to be downloaded (empty once provisioned). */
  missing: ToolChoice[];
  /** What was downloaded this time. */
  downloaded: string[];
}

/**
 * The toolchain a command runs with in the checkout at `root`: the recorded one while no pin
 * file changed (a few stat calls), else resolved again from the pins — from the machine and the
 * cache alone, downloading only when `download` allows it. Pins that cannot hold are exit 2.
 */
export async function resolveToolchain(
  root: string,
  config: PinConfig,
  options: ProvisionToolchainOptions & { download: boolean },
): Promise<ResolvedToolchain> {
  const recorded = readActiveToolchain(root, options.env);
  if (recorded) return { state: recorded, missing: [], downloaded: [] };
  const pins = readPins(root, config);
  const blocking = pins.problems.find((p) => p.severity === 'error');
  if (blocking) throw usageError(blocking.code, blocking.message, { hint: blocking.fix });
  const facts = await gatherToolchainFacts(pins, { env: options.env, cwd: root });
  const plan = planToolchain(pins, facts);
  const missing = [plan.node, plan.pnpm].filter((c): c is ToolChoice => c?.from === 'download');
  if (missing.length > 0 && !options.download) return { state: undefined, missing, downloaded: [] };
  const provisioned = await provisionToolchain(pins, plan, facts, { ...options, root });
  return { state: provisioned.state, missing: [], downloaded: provisioned.downloaded };
}

// one version of one tool into the shared cache, for callers that pick the version themselves (the lockfile oracle)
export { provisionVersion, type CachedTool, type ProvisionOptions } from './provision.js';
export { npmRegistry, type NpmRegistry } from './registry.js';
