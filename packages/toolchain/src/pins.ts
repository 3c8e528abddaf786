import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as SemverModule from 'semver';

type Semver = typeof SemverModule;
let semverModule: Semver | undefined;
/**
 * semver is loaded on first use, not when the package is imported: its load costs more than a
 * warm `devkit bootstrap` is allowed to take, and most commands that import this never compare
 * versions (the warm paths read resolved pins from `.devkit/toolchain.json`).
 */
function semverLib(): Semver {
  return (semverModule ??= createRequire(import.meta.url)('semver') as Semver);
}

/** `1.2.3` exactly as semver accepts it (no leading zeros), read without loading semver. */
const PLAIN_VERSION = /^(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})$/;

export type ToolName = 'node' | 'pnpm';

/** The files a repo states its node and pnpm versions in, relative to its root (kept in the light active.ts). */
export { PIN_FILE_NAMES as PIN_FILES } from './active.js';

/** One place where the repo states a version of node or pnpm. */
export interface Pin {
  tool: ToolName;
  /** The file, relative to the repo root (`package.json`, `.nvmrc`, `devkit.json`, …). */
  file: string;
  /** The key inside it (`packageManager`, `devEngines.runtime`, `engines.node`); undefined for a whole-file pin. */
  key: string | undefined;
  /** The value as written. */
  raw: string;
  /** The semver version or range it means; undefined when devkit cannot read it (`lts/*`). */
  range: string | undefined;
  /** The exact version when it names one. */
  exact: string | undefined;
  /**
   * `pin`: the version to run (and provision); `constraint`: what the version must satisfy
   * (engines), which the machine's own tool may already do.
   */
  strength: 'pin' | 'constraint';
  /** devEngines' `onFail` (`download` lets pnpm fetch the runtime itself). */
  onFail?: 'ignore' | 'warn' | 'error' | 'download' | undefined;
  /** packageManager's `+sha512.<hex>` (or another algorithm) suffix, as written. */
  hash?: string | undefined;
}

/** What the repo wants of one tool: every pin and constraint, and the one that decides. */
export interface WantedTool {
  tool: ToolName;
  /** The exact version, when a pin names one. */
  exact: string | undefined;
  /** The pin that decides: the exact one, else the first range pin, else the first constraint. */
  source: Pin;
  /** Every readable pin and constraint; a chosen version satisfies all of them. */
  pins: Pin[];
  /** Only engines speak for this tool: the machine's own version is used when it satisfies them. */
  constraintOnly: boolean;
}

export interface PinProblem {
  code: 'E_PINS_DISAGREE' | 'E_PIN_UNSUPPORTED' | 'E_TOOLCHAIN_RANGE';
  tool: ToolName;
  message: string;
  fix: string;
  /** `error` stops bootstrap and exec (exit 2); `warning` is reported and the pin is ignored. */
  severity: 'error' | 'warning';
}

export interface RepoPins {
  root: string;
  node: WantedTool | undefined;
  pnpm: WantedTool | undefined;
  /** Every pin found, in precedence order per tool. */
  pins: Pin[];
  problems: PinProblem[];
}

/** The part of devkit.json pins read: `toolchain.node` and `toolchain.pnpm`. */
export interface PinConfig {
  toolchain?: { node?: string | undefined; pnpm?: string | undefined } | undefined;
}

/** "package.json packageManager", ".nvmrc": where a pin was written, as messages name it. */
export function describePin(pin: Pick<Pin, 'file' | 'key'>): string {
  return pin.key ? `${pin.file} ${pin.key}` : pin.file;
}

function readText(root: string, file: string): string | undefined {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch {
    return undefined;
  }
}

interface Manifest {
  packageManager?: unknown;
  engines?: { node?: unknown; pnpm?: unknown; runtime?: unknown };
  devEngines?: { runtime?: unknown; packageManager?: unknown };
}

function toPin(
  tool: ToolName,
  file: string,
  key: string | undefined,
  raw: string,
  strength: Pin['strength'],
  extra: Partial<Pick<Pin, 'onFail' | 'hash'>> = {},
): Pin {
  const text = raw.trim().replace(/^v(?=\d)/, '');
  // an exact version (`pnpm@10.34.9`) is what semver.valid returns it as: no semver load for it
  if (PLAIN_VERSION.test(text)) return { tool, file, key, raw, range: text, exact: text, strength, ...extra };
  const semver = semverLib();
  const exact = semver.valid(text) ?? undefined;
  const range = exact ?? semver.validRange(text) ?? undefined;
  return { tool, file, key, raw, range, exact, strength, ...extra };
}

function devEngineEntries(value: unknown): Array<{ name?: unknown; version?: unknown; onFail?: unknown }> {
  if (Array.isArray(value)) return value.filter((v): v is object => typeof v === 'object' && v !== null);
  return typeof value === 'object' && value !== null ? [value] : [];
}

const ON_FAIL = new Set(['ignore', 'warn', 'error', 'download']);

/** A key's value in pnpm-workspace.yaml, found without a YAML parser (two plain shapes only). */
function workspaceNodeVersion(text: string): { key: string; value: string } | undefined {
  const top = /^useNodeVersion:\s*['"]?([^'"\s#]+)/m.exec(text);
  if (top?.[1]) return { key: 'useNodeVersion', value: top[1] };
  const nested = /^executionEnv:[ \t]*\r?\n(?:[ \t]+.*\r?\n)*?[ \t]+nodeVersion:\s*['"]?([^'"\s#]+)/m.exec(text);
  if (nested?.[1]) return { key: 'executionEnv.nodeVersion', value: nested[1] };
  return undefined;
}

/**
 * The exact node a lockfile's root importer resolved `runtime:` to (`node:` with
 * `specifier: runtime:^24.4.0` and `version: runtime:24.22.3`), found without a YAML parser.
 */
export function lockfileNodeRuntime(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const start = text.search(/^ {2}\.:\s*$/m);
  if (start < 0) return undefined;
  const rest = text.slice(start + 1);
  const end = rest.search(/^ {2}\S|^\S/m);
  const block = end < 0 ? rest : rest.slice(0, end);
  return /^ +node:\s*\n +specifier: ['"]?runtime:[^\n]*\n +version: ['"]?runtime:([^'"\s]+)/m.exec(block)?.[1];
}

/** Every pin the repo at `root` writes, in precedence order (see {@link readPins}). */
function collectPins(root: string, config: PinConfig, problems: PinProblem[]): Pin[] {
  const pins: Pin[] = [];
  let manifest: Manifest = {};
  const manifestText = readText(root, 'package.json');
  if (manifestText !== undefined) {
    try {
      manifest = JSON.parse(manifestText) as Manifest;
    } catch {
      // An unreadable package.json is reported by the steps that need it; it pins nothing.
    }
  }

  // pnpm, strongest first.
  if (typeof manifest.packageManager === 'string') {
    const match = /^pnpm@([^+]+)(?:\+(.+))?$/.exec(manifest.packageManager.trim());
    if (match?.[1]) pins.push(toPin('pnpm', 'package.json', 'packageManager', match[1], 'pin', { hash: match[2] }));
  }
  for (const entry of devEngineEntries(manifest.devEngines?.packageManager)) {
    if (entry.name !== 'pnpm' || typeof entry.version !== 'string') continue;
    const onFail = typeof entry.onFail === 'string' && ON_FAIL.has(entry.onFail) ? entry.onFail : undefined;
    pins.push(
      toPin('pnpm', 'package.json', 'devEngines.packageManager', entry.version, 'pin', {
        onFail: onFail as Pin['onFail'],
      }),
    );
  }
  if (typeof config.toolchain?.pnpm === 'string')
    pins.push(toPin('pnpm', 'devkit.json', 'toolchain.pnpm', config.toolchain.pnpm, 'pin'));
  if (typeof manifest.engines?.pnpm === 'string')
    pins.push(toPin('pnpm', 'package.json', 'engines.pnpm', manifest.engines.pnpm, 'constraint'));

  // node, strongest first. A runtime pnpm downloads itself (`onFail: download`) is the exact
  // version its lockfile resolved the range to: the same build for devkit's tools and pnpm's scripts.
  const runtimes: Array<[string, unknown]> = [
    ['devEngines.runtime', manifest.devEngines?.runtime],
    ['engines.runtime', manifest.engines?.runtime],
  ];
  let downloadedByPnpm = false;
  for (const [key, value] of runtimes) {
    for (const entry of devEngineEntries(value)) {
      if (entry.name !== 'node' || typeof entry.version !== 'string') continue;
      const onFail = typeof entry.onFail === 'string' && ON_FAIL.has(entry.onFail) ? entry.onFail : undefined;
      if (onFail === 'download') downloadedByPnpm = true;
      pins.push(toPin('node', 'package.json', key, entry.version, 'pin', { onFail: onFail as Pin['onFail'] }));
    }
  }
  const resolvedRuntime = downloadedByPnpm ? lockfileNodeRuntime(readText(root, 'pnpm-lock.yaml')) : undefined;
  if (resolvedRuntime) pins.push(toPin('node', 'pnpm-lock.yaml', "importers['.'] node", resolvedRuntime, 'pin'));
  for (const file of ['.node-version', '.nvmrc']) {
    const text = readText(root, file);
    if (text === undefined) continue;
    const line = text
      .split(/\r?\n/)
      .map((l) => l.replace(/#.*/, '').trim())
      .find((l) => l !== '');
    if (line === undefined) continue;
    const pin = toPin('node', file, undefined, line, 'pin');
    if (pin.range === undefined) {
      problems.push({
        code: 'E_PIN_UNSUPPORTED',
        tool: 'node',
        severity: 'error', // lowered to a warning below when another pin says which node
        message: `${file} asks for node ${JSON.stringify(line)}: devkit provisions a version or a semver range (24.11.0, 24, ^24.11), not an alias such as lts/* or node`,
        fix: `write the version the team uses into ${file}, e.g. \`echo 24.22.3 > ${file}\``,
      });
      continue;
    }
    pins.push(pin);
  }
  const workspace = readText(root, 'pnpm-workspace.yaml');
  const fromWorkspace = workspace === undefined ? undefined : workspaceNodeVersion(workspace);
  if (fromWorkspace) pins.push(toPin('node', 'pnpm-workspace.yaml', fromWorkspace.key, fromWorkspace.value, 'pin'));
  else {
    const npmrc = readText(root, '.npmrc');
    const line = npmrc === undefined ? undefined : /^\s*use-node-version\s*=\s*(\S+)/m.exec(npmrc)?.[1];
    if (line) pins.push(toPin('node', '.npmrc', 'use-node-version', line, 'pin'));
  }
  if (typeof config.toolchain?.node === 'string')
    pins.push(toPin('node', 'devkit.json', 'toolchain.node', config.toolchain.node, 'pin'));
  if (typeof manifest.engines?.node === 'string')
    pins.push(toPin('node', 'package.json', 'engines.node', manifest.engines.node, 'constraint'));
  return pins;
}

function agree(a: Pin, b: Pin): boolean {
  if (a.range === undefined || b.range === undefined) return true;
  if (a.exact && b.exact) return a.exact === b.exact;
  const semver = semverLib();
  if (a.exact) return semver.satisfies(a.exact, b.range, { includePrerelease: true });
  if (b.exact) return semver.satisfies(b.exact, a.range, { includePrerelease: true });
  return semver.intersects(a.range, b.range, { includePrerelease: true });
}

function asks(pin: Pin): string {
  return pin.exact ? `pins ${pin.tool} ${pin.exact}` : `asks for ${pin.tool} ${pin.raw.trim()}`;
}

function wantedTool(tool: ToolName, all: Pin[], problems: PinProblem[]): WantedTool | undefined {
  const pins = all.filter((p) => p.tool === tool);
  for (const pin of pins) {
    if (pin.range !== undefined) continue;
    problems.push({
      code: 'E_TOOLCHAIN_RANGE',
      tool,
      severity: 'error',
      message: `${describePin(pin)} is not a ${tool} version or semver range: ${JSON.stringify(pin.raw)}`,
      fix: `edit ${pin.file} and write a version such as ${tool === 'node' ? '24.22.3' : '10.34.9'} or a range such as ${tool === 'node' ? '^24.11' : '10.x'}`,
    });
  }
  const readable = pins.filter((p) => p.range !== undefined);
  for (let i = 0; i < readable.length; i++) {
    for (let j = i + 1; j < readable.length; j++) {
      const a = readable[i]!;
      const b = readable[j]!;
      if (agree(a, b)) continue;
      const both = a.file === b.file ? `${a.file} (${a.key} and ${b.key})` : `${a.file} and ${b.file}`;
      problems.push({
        code: 'E_PINS_DISAGREE',
        tool,
        severity: 'error',
        message: `${describePin(a)} ${asks(a)} but ${describePin(b)} ${asks(b)}: the pins in ${both} disagree`,
        fix: `make them agree: edit ${describePin(a)} or ${describePin(b)} so that both name the ${tool} the team runs`,
      });
    }
  }
  const source =
    readable.find((p) => p.exact !== undefined) ?? readable.find((p) => p.strength === 'pin') ?? readable[0];
  if (!source) return undefined;
  return {
    tool,
    exact: source.exact,
    source,
    pins: readable,
    constraintOnly: readable.every((p) => p.strength === 'constraint'),
  };
}

/**
 * Every node and pnpm version the repo at `root` asks for, each with the file and key it came
 * from, and what they add up to.
 *
 * pnpm: package.json `packageManager` (`pnpm@11.19.0+sha512…`), `devEngines.packageManager`
 * (an object or an array of them), devkit.json `toolchain.pnpm`, then `engines.pnpm`.
 * node: `devEngines.runtime` (and pnpm 11's `engines.runtime`; with `onFail: download`, the
 * exact version the lockfile resolved it to), `.node-version`, `.nvmrc`, pnpm's own `useNodeVersion` /
 * `executionEnv.nodeVersion` (pnpm-workspace.yaml, or `use-node-version` in .npmrc),
 * devkit.json `toolchain.node`, then `engines.node`. The first exact version decides; ranges
 * and engines must then all be satisfied. Pins that cannot all hold are an `E_PINS_DISAGREE`
 * problem naming both places; an alias devkit cannot provision (`.nvmrc`'s `lts/*`) is an
 * error unless another pin says which node, then a warning. Reads a few small files, no process.
 */
export function readPins(root: string, config: PinConfig): RepoPins {
  const problems: PinProblem[] = [];
  const pins = collectPins(root, config, problems);
  const node = wantedTool('node', pins, problems);
  const pnpm = wantedTool('pnpm', pins, problems);
  for (const problem of problems)
    if (problem.code === 'E_PIN_UNSUPPORTED' && (problem.tool === 'node' ? node : pnpm)) problem.severity = 'warning';
  return { root, node, pnpm, pins, problems };
}

/** Whether `version` satisfies every pin and constraint of `wanted`. */
export function satisfiesPins(wanted: WantedTool, version: string): boolean {
  const semver = semverLib();
  if (wanted.exact !== undefined) return semver.eq(version, wanted.exact);
  return wanted.pins.every(
    (p) => p.range === undefined || semver.satisfies(version, p.range, { includePrerelease: true }),
  );
}

/** The newest of `versions` that satisfies every pin of `wanted`. */
export function newestSatisfying(wanted: WantedTool, versions: Iterable<string>): string | undefined {
  const semver = semverLib();
  let best: string | undefined;
  for (const version of versions) {
    if (!semver.valid(version) || !satisfiesPins(wanted, version)) continue;
    if (best === undefined || semver.gt(version, best)) best = version;
  }
  return best;
}

/**
 * The newest pnpm major published when this was written (12, 2026): an open range such as ">=9"
 * is read as this major rather than one that does not exist yet.
 */
const NEWEST_PNPM_MAJOR = 12;

/** The pnpm major a repo pins, where that came from, and whether a pin named an exact version. */
export interface PinnedPnpmMajor {
  major: number;
  /** Where it came from, as messages name it: "package.json packageManager". */
  source: string;
  exact: boolean;
}

/**
 * The pnpm major the repo pins: the exact version's major, else the highest major every range
 * allows (what provisioning the newest matching version would pick). Undefined when nothing
 * pins pnpm, or the pins disagree (the caller reports {@link RepoPins.problems}).
 */
export function pinnedPnpmMajor(pins: RepoPins): PinnedPnpmMajor | undefined {
  const wanted = pins.pnpm;
  if (!wanted || pins.problems.some((p) => p.tool === 'pnpm' && p.severity === 'error')) return undefined;
  const source = describePin(wanted.source);
  if (wanted.exact && PLAIN_VERSION.test(wanted.exact))
    return { major: Number(wanted.exact.slice(0, wanted.exact.indexOf('.'))), source, exact: true };
  const semver = semverLib();
  if (wanted.exact) return { major: semver.major(wanted.exact), source, exact: true };
  // A range such as ">=9" is open-ended: the highest major it allows among those published so far.
  for (let major = NEWEST_PNPM_MAJOR; major >= 1; major--) {
    const line = `>=${major}.0.0 <${major + 1}.0.0-0`;
    if (wanted.pins.every((p) => p.range === undefined || semver.intersects(p.range, line))) {
      return { major, source, exact: false };
    }
  }
  return undefined;
}
