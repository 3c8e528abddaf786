import { semver } from './semver-lazy.js';
import { createMatcher } from './matcher.js';
import { applyOverrides, parseSelector, type ParsedOverride } from './overrides.js';
import type { ProjectManifest } from './types.js';

const EXTENDED_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta'] as const;

function copyRecord(value: unknown): Record<string, string> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? { ...(value as Record<string, string>) }
    : undefined;
}

/**
 * The manifest pnpm compares with the lockfile: the project's package.json after the
 * readPackage steps pnpm applies to workspace projects too — packageExtensions, overrides,
 * ignoredOptionalDependencies. (A .pnpmfile.cjs readPackage hook is code and is not run.)
 */
export function effectiveManifest(
  manifest: ProjectManifest,
  projectDir: string,
  options: {
    packageExtensions?: Record<string, unknown> | undefined;
    overrides: ParsedOverride[];
    ignoredOptionalDependencies?: string[] | undefined;
    /** Engines fields whose `runtime` becomes a dependency (pnpm 10: devEngines; 11+: engines too). */
    runtimeDependencies?: readonly ('devEngines' | 'engines')[] | undefined;
  },
): ProjectManifest {
  const result: ProjectManifest = { ...manifest };
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const) {
    const copy = copyRecord(manifest[field]);
    if (copy) result[field] = copy;
    else delete result[field];
  }
  for (const enginesField of options.runtimeDependencies ?? []) {
    addRuntimeDependencies(result, enginesField, enginesField === 'devEngines' ? 'devDependencies' : 'dependencies');
  }
  if (options.packageExtensions && typeof result.name === 'string') {
    for (const [selector, extension] of Object.entries(options.packageExtensions)) {
      const parsed = parseSelector(selector);
      if (!parsed || parsed.name !== result.name || typeof extension !== 'object' || extension === null) continue;
      if (
        parsed.range !== undefined &&
        !(typeof result.version === 'string' && semver().satisfies(result.version, parsed.range))
      )
        continue;
      for (const field of EXTENDED_FIELDS) {
        const add = (extension as Record<string, unknown>)[field];
        if (!add) continue;
        result[field] = {
          ...(add as Record<string, string>),
          ...(result[field] as Record<string, string> | undefined),
        };
      }
    }
  }
  applyOverrides(result, options.overrides, projectDir);
  const ignored = options.ignoredOptionalDependencies;
  if (ignored && ignored.length > 0 && result.optionalDependencies) {
    const matches = createMatcher(ignored);
    for (const name of Object.keys(result.optionalDependencies)) {
      if (!matches(name)) continue;
      delete result.optionalDependencies[name];
      if (result.dependencies) delete result.dependencies[name];
    }
  }
  return result;
}

const RUNTIME_NAMES = ['node', 'deno', 'bun'] as const;

/**
 * pnpm's convertEnginesRuntimeToDependencies, run when it reads a manifest: a `runtime` entry
 * with `onFail: "download"` becomes the dependency `<name>: runtime:<version>`, unless the
 * field already has that name. The lockfile records it like any other dependency.
 */
function addRuntimeDependencies(
  manifest: ProjectManifest,
  enginesField: 'devEngines' | 'engines',
  depsField: 'devDependencies' | 'dependencies',
): void {
  const engines = manifest[enginesField];
  const runtime =
    typeof engines === 'object' && engines !== null ? (engines as { runtime?: unknown }).runtime : undefined;
  if (runtime == null) return;
  const runtimes = (Array.isArray(runtime) ? runtime : [runtime]) as unknown[];
  for (const name of RUNTIME_NAMES) {
    if (manifest[depsField]?.[name]) continue;
    const entry = runtimes.find(
      (r): r is { name: string; version?: unknown; onFail?: unknown } =>
        typeof r === 'object' && r !== null && (r as { name?: unknown }).name === name,
    );
    if (entry?.onFail !== 'download' || typeof entry.version !== 'string') continue;
    manifest[depsField] = { ...manifest[depsField], [name]: `runtime:${entry.version.trim()}` };
  }
}
