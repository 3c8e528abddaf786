import { deepEqual } from './deep-equal.js';
import { removeSuffix } from './dep-path.js';
import { isValidRange, isValidVersion, satisfies } from './semver-lazy.js';
import { dependencySpecifiersAreEqual } from './specifier-equality.js';
import {
  DEPENDENCY_FIELDS,
  type DependencyField,
  type LockfileFinding,
  type LockfileImporter,
  type ProjectManifest,
  type WorkspaceProject,
} from './types.js';

const FIX = 'pnpm install';

export interface ImporterCheckOptions {
  autoInstallPeers: boolean;
  excludeLinksFromLockfile: boolean;
  /** pnpm 11+: a git specifier matches its other spellings (see specifier-equality.ts). */
  gitSpecifierEquivalence?: boolean | undefined;
  /** Whether a locked version must satisfy its specifier (default true; pnpm 9 does not check). */
  checkLockedVersions?: boolean | undefined;
}

function record(value: unknown): Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : {};
}

function withoutLinks(deps: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(deps).filter(([, spec]) => typeof spec !== 'string' || !spec.startsWith('link:')),
  );
}

/**
 * Compares one workspace project with its lockfile importer by pnpm's rules (its
 * `satisfiesPackageManifest`, which is what a frozen install runs per project), but instead of
 * stopping at the first difference it returns every one. A project pnpm accepts yields nothing.
 *
 * @param manifest the project manifest after overrides and package extensions (see effectiveManifest)
 * @param importer the lockfile's importer; `undefined` for a project the lockfile does not know
 *   (pnpm treats it as an importer with no dependencies)
 */
export function checkImporter(
  project: WorkspaceProject,
  manifest: ProjectManifest,
  importer: LockfileImporter | undefined,
  options: ImporterCheckOptions,
): LockfileFinding[] {
  const id = project.id;
  const file = project.manifestFile;
  const snapshot: LockfileImporter = importer ?? { specifiers: {} };
  const findings: LockfileFinding[] = [];
  const sameSpec = options.gitSpecifierEquivalence
    ? dependencySpecifiersAreEqual
    : (a: string | undefined, b: string | undefined) => a === b;
  const reported = new Set<string>();
  const add = (name: string, finding: Omit<LockfileFinding, 'kind' | 'importer' | 'dependency' | 'fix' | 'file'>) => {
    if (reported.has(name)) return;
    reported.add(name);
    findings.push({ kind: 'drift', importer: id, dependency: name, file, fix: FIX, ...finding });
  };

  const declared = {
    dependencies: record(manifest.dependencies),
    devDependencies: record(manifest.devDependencies),
    optionalDependencies: record(manifest.optionalDependencies),
    peerDependencies: record(manifest.peerDependencies),
  };
  let pkg: Record<DependencyField, Record<string, string>> = { ...declared };
  let existing: Record<string, string> = {
    ...declared.devDependencies,
    ...declared.dependencies,
    ...declared.optionalDependencies,
  };
  if (options.autoInstallPeers) {
    const peersToInstall = Object.fromEntries(
      Object.entries(declared.peerDependencies).filter(([name]) => !(name in existing)),
    );
    pkg = { ...pkg, dependencies: { ...peersToInstall, ...declared.dependencies } };
    existing = { ...declared.peerDependencies, ...existing };
  }
  // Which manifest field a dependency is in, for messages (pnpm's precedence: optional over prod over dev).
  const manifestField = (name: string): string =>
    name in declared.optionalDependencies
      ? 'optionalDependencies'
      : name in declared.dependencies
        ? 'dependencies'
        : name in declared.devDependencies
          ? 'devDependencies'
          : 'peerDependencies';
  const lockfileField = (name: string): DependencyField | undefined =>
    DEPENDENCY_FIELDS.find((field) => snapshot[field]?.[name] !== undefined);

  let specs = snapshot.specifiers;
  if (options.excludeLinksFromLockfile) {
    existing = withoutLinks(existing);
    specs = withoutLinks(specs);
  }

  // 1. specifiers: every dependency of the manifest against the lockfile's specifiers
  for (const [name, lockSpec] of Object.entries(specs)) {
    if (!Object.hasOwn(existing, name)) {
      add(name, {
        code: 'DEPENDENCY_REMOVED',
        field: lockfileField(name),
        manifest: null,
        lockfile: lockSpec,
        message: `${id}: pnpm-lock.yaml has ${name} ${JSON.stringify(lockSpec)}, which ${file} no longer lists`,
      });
    } else if (!sameSpec(lockSpec, existing[name])) {
      add(name, {
        code: 'SPECIFIER_CHANGED',
        field: manifestField(name),
        manifest: existing[name],
        lockfile: lockSpec,
        message: `${id}: ${name} is ${JSON.stringify(existing[name])} in ${file} but ${JSON.stringify(lockSpec)} in pnpm-lock.yaml`,
      });
    }
  }
  for (const [name, spec] of Object.entries(existing)) {
    if (Object.hasOwn(specs, name)) continue;
    add(name, {
      code: 'DEPENDENCY_ADDED',
      field: manifestField(name),
      manifest: spec,
      lockfile: null,
      message: `${id}: ${file} has ${manifestField(name)}.${name} ${JSON.stringify(spec)}, which pnpm-lock.yaml does not have`,
    });
  }

  // 2. publishConfig.directory and dependenciesMeta are recorded per importer
  const publishDirectory = manifest.publishConfig?.directory;
  if (snapshot.publishDirectory !== publishDirectory) {
    findings.push({
      code: 'PUBLISH_DIRECTORY_CHANGED',
      kind: 'drift',
      importer: id,
      field: 'publishConfig.directory',
      manifest: publishDirectory ?? null,
      lockfile: snapshot.publishDirectory ?? null,
      file,
      fix: FIX,
      message: `${id}: publishConfig.directory is ${JSON.stringify(publishDirectory ?? null)} in ${file} but publishDirectory is ${JSON.stringify(snapshot.publishDirectory ?? null)} in pnpm-lock.yaml`,
    });
  }
  const meta = manifest.dependenciesMeta ?? {};
  if (!deepEqual(meta, snapshot.dependenciesMeta ?? {})) {
    findings.push({
      code: 'DEPENDENCIES_META_CHANGED',
      kind: 'drift',
      importer: id,
      field: 'dependenciesMeta',
      manifest: manifest.dependenciesMeta ?? null,
      lockfile: snapshot.dependenciesMeta ?? null,
      file,
      fix: FIX,
      message: `${id}: dependenciesMeta in ${file} differs from pnpm-lock.yaml`,
    });
  }

  // 3. each dependency field on its own: a dependency moved between fields, and versions out of range
  for (const field of DEPENDENCY_FIELDS) {
    const importerDeps = snapshot[field] ?? {};
    const pkgDeps = options.excludeLinksFromLockfile ? withoutLinks(pkg[field]) : pkg[field];
    const names = Object.keys(pkgDeps).filter((name) => {
      if (field === 'optionalDependencies') return true;
      if (field === 'devDependencies') return !declared.optionalDependencies[name] && !pkg.dependencies[name];
      return !declared.optionalDependencies[name];
    });
    const importerNames = Object.keys(importerDeps);
    const nonLinked = Object.values(importerDeps).filter(
      (ref) => !ref.includes('link:') && !ref.includes('file:'),
    ).length;
    if (names.length !== importerNames.length && names.length !== nonLinked) {
      const wanted = new Set(names);
      for (const name of importerNames) {
        if (wanted.has(name)) continue;
        const elsewhere = name in existing;
        add(name, {
          code: elsewhere ? 'DEPENDENCY_TYPE_CHANGED' : 'DEPENDENCY_REMOVED',
          field,
          manifest: elsewhere ? manifestField(name) : null,
          lockfile: field,
          message: elsewhere
            ? `${id}: ${name} is in ${manifestField(name)} in ${file} but in ${field} in pnpm-lock.yaml`
            : `${id}: pnpm-lock.yaml has ${field}.${name}, which ${file} no longer lists`,
        });
      }
    }
    for (const name of names) {
      const lockSpec = snapshot.specifiers[name];
      if (!importerDeps[name] || !sameSpec(lockSpec, pkgDeps[name])) {
        const other = lockfileField(name);
        if (!importerDeps[name] && other !== undefined && sameSpec(lockSpec, pkgDeps[name])) {
          add(name, {
            code: 'DEPENDENCY_TYPE_CHANGED',
            field,
            manifest: field,
            lockfile: other,
            message: `${id}: ${name} is in ${field} in ${file} but in ${other} in pnpm-lock.yaml`,
          });
        } else if (lockSpec === undefined) {
          add(name, {
            code: 'DEPENDENCY_ADDED',
            field,
            manifest: pkgDeps[name],
            lockfile: null,
            message: `${id}: ${file} has ${field}.${name} ${JSON.stringify(pkgDeps[name])}, which pnpm-lock.yaml does not have`,
          });
        } else {
          add(name, {
            code: 'SPECIFIER_CHANGED',
            field,
            manifest: pkgDeps[name],
            lockfile: lockSpec,
            message: `${id}: ${name} is ${JSON.stringify(pkgDeps[name])} in ${file} but ${JSON.stringify(lockSpec)} in pnpm-lock.yaml`,
          });
        }
        continue;
      }
      if (lockSpec === undefined || options.checkLockedVersions === false || !isValidRange(lockSpec)) continue;
      const version = removeSuffix(importerDeps[name]);
      if (isValidVersion(version) && !satisfies(version, lockSpec)) {
        add(name, {
          code: 'VERSION_OUT_OF_RANGE',
          field,
          manifest: lockSpec,
          lockfile: version,
          message: `${id}: pnpm-lock.yaml resolves ${name} to ${version}, which does not satisfy ${JSON.stringify(lockSpec)}`,
        });
      }
    }
  }
  return findings;
}
