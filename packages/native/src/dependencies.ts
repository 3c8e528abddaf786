import { existsSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { usageError } from '@devkit/core';
import type { TarEntry } from './tar.js';

/**
 * Build helpers a native package's build reaches with `require()` or a header path: each one the
 * package declares comes into the builder at `node_modules/<name>` without being asked for,
 * because builders get no node_modules otherwise and have no network to install it.
 */
export const BUILD_HELPERS: Readonly<Record<string, string>> = {
  // binding.gyp does `<!(node -p "require('node-addon-api').include")` for its C++ headers.
  'node-addon-api': 'C++ wrapper headers over Node-API',
  // The Node-API C headers (and Windows import libraries) for builds that do not use Node's own.
  'node-api-headers': 'Node-API C headers',
  // binding.gyp does `<!(node -e "require('nan')")` for its include folder.
  nan: 'Native Abstractions for Node headers',
  // Included by path from binding.gyp or the sources (`<!(node -e "require('napi-macros')")`).
  'napi-macros': 'C macros over Node-API',
  // Build scripts run its `node-gyp-build` binary, or load the fresh addon through it to test it.
  'node-gyp-build': 'prebuild loader and build driver',
  // node-gyp-build's fork for addons whose prebuilds ship as optional packages; used the same way.
  'node-gyp-build-optional-packages': 'prebuild loader and build driver (optional packages)',
  // Test and build scripts load the built addon through it.
  bindings: 'addon loader',
};

/** One dependency copied into the builder at `node_modules/<name>`. */
export interface BuildDependency {
  name: string;
  version: string;
  /** `helper`: a known build helper the package declares; `config`: named in devkit.json. */
  reason: 'helper' | 'config';
  /** Where its files were read from (the real folder, not pnpm's link), relative to the repo root. */
  from: string;
  files: number;
}

interface PackageManifest {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

async function readManifest(file: string, root: string): Promise<PackageManifest | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PackageManifest;
  } catch (error) {
    throw usageError('E_NATIVE_PACKAGE_JSON', `${relative(root, file)}: not valid JSON (${(error as Error).message})`, {
      hint: `fix the file, or reinstall what it belongs to: pnpm install`,
      cause: error,
    });
  }
}

/**
 * The folder `name` resolves to from `packageDir`, the way Node looks it up (the package's own
 * node_modules, then each parent's), stopping at the repo root; its real path, since pnpm's
 * node_modules entries are links into its store.
 */
async function locate(name: string, packageDir: string, root: string): Promise<string | undefined> {
  const top = resolve(root);
  for (let dir = resolve(packageDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return realpath(candidate);
    if (dir === top || dirname(dir) === dir || !`${dir}${sep}`.startsWith(`${top}${sep}`)) return undefined;
  }
}

/**
 * The files of one dependency, as `node_modules/<name>/<path>` entries whose sources are real
 * files: links inside it are followed (a loop is walked once), its own node_modules is not.
 */
async function dependencyFiles(name: string, dir: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const seen = new Set<string>();
  const walk = async (real: string, rel: string): Promise<void> => {
    if (seen.has(real)) return;
    seen.add(real);
    for (const e of await readdir(real, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === '.git') continue;
      let source = join(real, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          source = await realpath(source);
          const st = await stat(source);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // a dangling link: nothing to copy
        }
      }
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (isDir) await walk(source, path);
      else if (isFile) out.push({ name: `node_modules/${name}/${path}`, source });
    }
  };
  await walk(dir, '');
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The build dependencies of one native package: the known build helpers among its declared
 * dependencies, plus the names devkit.json lists under `native.packages.<p>.dependencies`. Each
 * comes in whole, without its own node_modules (list those too when a build needs them). A
 * listed name the package does not declare or that is not installed is exit 2; a declared helper
 * that is not installed is left out and named in `missing` (many builds never load it, e.g.
 * node-gyp-build, the run-time loader).
 */
export async function resolveBuildDependencies(options: {
  root: string;
  packageName: string;
  packageDir: string;
  configured?: readonly string[] | undefined;
}): Promise<{ dependencies: BuildDependency[]; files: TarEntry[]; missing: string[] }> {
  const { root, packageName, packageDir } = options;
  const key = `native.packages[${JSON.stringify(packageName)}].dependencies`;
  const manifestPath = join(packageDir, 'package.json');
  const manifest = (await readManifest(manifestPath, root)) ?? {};
  const manifestName = relative(root, manifestPath) || 'package.json';
  const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    ...optional,
  ]);
  const wanted = new Map<string, BuildDependency['reason']>();
  for (const name of Object.keys(BUILD_HELPERS).sort()) if (declared.has(name)) wanted.set(name, 'helper');
  for (const name of options.configured ?? []) {
    if (!declared.has(name))
      throw usageError(
        'E_NATIVE_DEPENDENCY_UNDECLARED',
        `${key} names "${name}", which ${manifestName} does not declare`,
        {
          hint: `add it to the package: pnpm add -D ${name} --filter ${packageName} (or remove it from ${key} in devkit.json)`,
          details: { package: packageName, dependency: name, key },
        },
      );
    wanted.set(name, 'config');
  }
  const dependencies: BuildDependency[] = [];
  const files: TarEntry[] = [];
  const missing: string[] = [];
  for (const [name, reason] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const dir = await locate(name, packageDir, root);
    if (dir === undefined) {
      // A helper that did not install is left out (an optional one silently, as Node would go without it).
      if (reason === 'helper') {
        if (!optional.has(name)) missing.push(name);
        continue;
      }
      throw usageError(
        'E_NATIVE_DEPENDENCY_MISSING',
        `${packageName}: ${key} names "${name}", but it is not installed: no node_modules/${name} from ${relative(root, packageDir) || '.'} up to the repo root`,
        {
          hint: 'install the dependencies, then build again: pnpm install',
          details: { package: packageName, dependency: name, key },
        },
      );
    }
    const own = await dependencyFiles(name, dir);
    const version = (await readManifest(join(dir, 'package.json'), root))?.version ?? 'unknown';
    dependencies.push({ name, version, reason, from: relative(root, dir).split(sep).join('/'), files: own.length });
    files.push(...own);
  }
  return { dependencies, files, missing };
}
