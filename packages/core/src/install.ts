import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from './errors.js';

/** The name users install: `pnpm add -D devkit`. */
export const DEVKIT_PACKAGE = 'devkit';

/**
 * What the `devkit` package ships besides its bundle, each as its path inside the package → its
 * path in devkit's own repo (where the workspace packages find it, and where the package's build
 * copies it from). One list, so the build and the code that reads these files cannot disagree.
 */
export const SHIPPED_FILES = {
  docker: 'docker',
  'schema.json': 'packages/config/schema.json',
} as const;

export type ShippedFile = keyof typeof SHIPPED_FILES;

/** Where devkit runs from. */
export interface DevkitInstall {
  /**
   * True when devkit runs from the bundled `devkit` package (node_modules/devkit/dist/, or its
   * build in this repo, packages/devkit/dist/); false when each package runs from its own
   * packages/<name>/{src,dist} in devkit's repo.
   */
  bundled: boolean;
  /** The `devkit` package's folder: node_modules/devkit when installed, packages/devkit in the repo. */
  packageDir: string;
  /** devkit's version: the `devkit` package's. */
  version: string;
}

let cached: DevkitInstall | undefined;

/**
 * Finds devkit's install from this module's own file: the nearest package.json above it is the
 * `devkit` package when the code is bundled, or one workspace package (packages/<name>/) when it
 * is not. Anything found by path at run time (builder images, the schema, the supervisor script,
 * the version) is looked up from here rather than next to the module that needs it, because the
 * bundle puts every module in one dist/ folder.
 */
export function devkitInstall(): DevkitInstall {
  if (cached) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new InternalError(`no package.json above ${here}: devkit's files are incomplete`);
    dir = parent;
  }
  const nearest = readManifest(dir);
  if (nearest.name === DEVKIT_PACKAGE) {
    cached = { bundled: true, packageDir: dir, version: nearest.version };
    return cached;
  }
  // packages/<name>/ in devkit's repo: the publishable package sits beside it.
  const packageDir = join(dirname(dir), DEVKIT_PACKAGE);
  const version = existsSync(join(packageDir, 'package.json')) ? readManifest(packageDir).version : nearest.version;
  cached = { bundled: false, packageDir, version };
  return cached;
}

/** Written by the `devkit` package's build beside its bundle: what identifies that exact build. */
export const BUILD_INFO_FILE = 'dist/build-info.json';

/** The `devkit` package's build-info.json: its version and the sha256 of every file in its dist/. */
export interface BuildInfo {
  version: string;
  digest: string;
}

/**
 * The digest of the bundle devkit runs from, or undefined outside the bundle. Caches keyed on
 * devkit's own code use it: a rebuilt bundle of the same version still gets fresh verdicts.
 */
export function bundleDigest(): string | undefined {
  const install = devkitInstall();
  if (!install.bundled) return undefined;
  const file = join(install.packageDir, BUILD_INFO_FILE);
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as BuildInfo).digest;
  } catch (error) {
    throw new InternalError(`cannot read ${file}, which every devkit build writes: ${(error as Error).message}`);
  }
}

/** devkit's own version (the `devkit` package's). */
export function devkitVersion(): string {
  return devkitInstall().version;
}

/**
 * The absolute path of a file the `devkit` package ships (SHIPPED_FILES): inside the installed
 * package, or at its source in devkit's repo when running from the workspace.
 */
export function shippedPath(name: ShippedFile): string {
  const install = devkitInstall();
  if (install.bundled) return join(install.packageDir, name);
  return join(install.packageDir, '..', '..', SHIPPED_FILES[name]);
}

function readManifest(dir: string): { name?: string; version: string } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
}
