import { intersects, isValidRange, satisfies } from './semver-lazy.js';
import { usageError } from '@devkit/core';

/** A package selector of an override or a package extension: `foo`, `foo@^1`, `@s/foo@2`. */
export interface PackageSelector {
  name: string;
  range?: string | undefined;
}

export interface ParsedOverride {
  selector: string;
  parent?: PackageSelector | undefined;
  target: PackageSelector;
  /** The value after `catalog:` references are resolved. */
  spec: string;
}

/** npm's rule for names old packages may have (what pnpm's selector parser accepts). */
function isValidOldPackageName(name: string): boolean {
  if (name.length === 0 || name.startsWith('.') || name.startsWith('_') || name.trim() !== name) return false;
  if (name === 'node_modules' || name === 'favicon.ico') return false;
  if (encodeURIComponent(name) === name) return true;
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  return (
    scoped !== null && encodeURIComponent(scoped[1]!) === scoped[1] && encodeURIComponent(scoped[2]!) === scoped[2]
  );
}

/** `name@range` → name and range, as pnpm's parseWantedDependency. */
export function parseSelector(raw: string): PackageSelector | undefined {
  const at = raw.indexOf('@', 1);
  if (at !== -1) {
    const name = raw.slice(0, at);
    return isValidOldPackageName(name) ? { name, range: raw.slice(at + 1) } : undefined;
  }
  return isValidOldPackageName(raw) ? { name: raw } : undefined;
}

const PARENT_DELIMITER = /[^ |@]>/;

function parseOverrideSelector(selector: string, file: string): Pick<ParsedOverride, 'parent' | 'target'> {
  const at = selector.search(PARENT_DELIMITER);
  const parse = (part: string) => {
    const parsed = parseSelector(part);
    if (!parsed) {
      throw usageError(
        'E_LOCKFILE_OVERRIDE',
        `${file}: cannot parse the override selector ${JSON.stringify(selector)}`,
        {
          hint: 'write it as <name>, <name>@<range> or <parent>><name>',
          details: { file, selector },
        },
      );
    }
    return parsed;
  };
  if (at === -1) return { target: parse(selector) };
  return { parent: parse(selector.slice(0, at + 1)), target: parse(selector.slice(at + 2)) };
}

/**
 * Parses overrides as pnpm does before it compares them with the lockfile: `catalog:` values
 * become the catalog's specifier.
 */
export function parseOverrides(
  overrides: Record<string, string>,
  catalogs: Record<string, Record<string, string>>,
  file: string,
): ParsedOverride[] {
  return Object.entries(overrides).map(([selector, value]) => {
    const parsed = parseOverrideSelector(selector, file);
    let spec = value;
    if (typeof value === 'string' && value.startsWith('catalog:')) {
      const catalogName = value.slice('catalog:'.length).trim() || 'default';
      const found = catalogs[catalogName]?.[parsed.target.name];
      if (found === undefined) {
        throw usageError(
          'E_LOCKFILE_OVERRIDE',
          `${file}: the override ${JSON.stringify(selector)} refers to ${value}, but catalog "${catalogName}" has no entry for ${parsed.target.name}`,
          {
            hint: `add ${parsed.target.name} to the "${catalogName}" catalog in pnpm-workspace.yaml, or give the override a version`,
            details: { file, selector },
          },
        );
      }
      spec = found;
    }
    return { selector, ...parsed, spec };
  });
}

/** Replaces `$name` override values by the root manifest's specifier for `name`, as pnpm does. */
export function resolveVersionReferences(
  overrides: Record<string, string>,
  rootManifest: {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  },
  file: string,
): Record<string, string> {
  const all = { ...rootManifest.devDependencies, ...rootManifest.dependencies, ...rootManifest.optionalDependencies };
  const result: Record<string, string> = {};
  for (const [selector, spec] of Object.entries(overrides)) {
    if (typeof spec !== 'string' || spec[0] !== '$') {
      result[selector] = spec;
      continue;
    }
    const name = spec.slice(1);
    const found = all[name];
    if (!found) {
      throw usageError(
        'E_LOCKFILE_OVERRIDE',
        `${file}: the override ${JSON.stringify(selector)} refers to ${spec}, but the root package.json has no dependency ${name}`,
        {
          hint: `add ${name} to the root package.json, or give the override a version`,
          details: { file, selector },
        },
      );
    }
    result[selector] = found;
  }
  return result;
}

/** Whether two ranges can match a common version (an absent range matches anything). */
export function rangesIntersect(range: string | undefined, spec: string): boolean {
  if (!range || range === spec) return true;
  if (!isValidRange(spec) || !isValidRange(range)) return false;
  return intersects(spec, range);
}

/** pnpm's peer-range test: a semver range, or one using workspace: / catalog:. */
function isValidPeerRange(spec: string): boolean {
  return isValidRange(spec) || spec.includes('workspace:') || spec.includes('catalog:');
}

/** Of the matching overrides, the one with the narrowest target range (pnpm's tie-break). */
function mostSpecific(candidates: ParsedOverride[]): ParsedOverride | undefined {
  return candidates.sort((a, b) => (rangesIntersect(b.target.range ?? '', a.target.range ?? '') ? -1 : 1))[0];
}

/** Repo-relative posix path from one folder to another. */
function relativePath(fromDir: string, to: string): string {
  const from = fromDir === '.' || fromDir === '' ? [] : fromDir.split('/');
  const target = to.split('/').filter((part) => part !== '' && part !== '.');
  let common = 0;
  while (common < from.length && common < target.length && from[common] === target[common]) common++;
  return [...from.slice(common).map(() => '..'), ...target.slice(common)].join('/') || '.';
}

function localOverrideSpec(spec: string, projectDir: string): string {
  for (const protocol of ['file:', 'link:'] as const) {
    if (!spec.startsWith(protocol)) continue;
    const target = spec.slice(protocol.length);
    // an absolute path stays as written; a relative one is relative to the root, re-expressed from the project
    if (target.startsWith('/')) return spec;
    return `${protocol}${relativePath(projectDir, target)}`;
  }
  return spec;
}

/**
 * Applies overrides to one workspace project's manifest, as pnpm's readPackage hook does
 * before it compares the project with the lockfile. Mutates `manifest`.
 */
export function applyOverrides(
  manifest: {
    name?: string;
    version?: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  },
  overrides: ParsedOverride[],
  projectDir: string,
): void {
  if (overrides.length === 0) return;
  const withParent = overrides.filter(
    (o) =>
      o.parent &&
      o.parent.name === manifest.name &&
      (!o.parent.range || (typeof manifest.version === 'string' && satisfies(manifest.version, o.parent.range))),
  );
  const generic = overrides.filter((o) => !o.parent);
  // most dependencies have no override: one set lookup each instead of two filters
  const targets = new Set([...withParent, ...generic].map((o) => o.target.name));
  const apply = (deps: Record<string, string>, peers: Record<string, string> | undefined) => {
    for (const [name, spec] of Object.entries(peers ?? deps)) {
      if (!targets.has(name)) continue;
      const match = (list: ParsedOverride[]) =>
        mostSpecific(list.filter((o) => o.target.name === name && rangesIntersect(o.target.range, spec)));
      const override = match(withParent) ?? match(generic);
      if (!override) continue;
      if (override.spec === '-') {
        delete (peers ?? deps)[name];
        continue;
      }
      const next = localOverrideSpec(override.spec, projectDir);
      if (peers === undefined || !isValidPeerRange(next)) deps[name] = next;
      else peers[name] = next;
    }
  };
  for (const deps of [manifest.dependencies, manifest.optionalDependencies, manifest.devDependencies]) {
    if (deps) apply(deps, undefined);
  }
  if (manifest.peerDependencies) {
    manifest.dependencies ??= {};
    apply(manifest.dependencies, manifest.peerDependencies);
  }
}
