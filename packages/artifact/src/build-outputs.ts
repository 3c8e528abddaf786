import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeployableSpec } from './build-deployable.js';
import { compileOutputs } from './glob.js';
import { readPackageJson } from './member-files.js';
import { isOwnPath } from './own-files.js';
import { resolveBuildOutputs, type BuildOutputs } from './turbo-config.js';

/** A deployable whose build ran but left nothing its declared outputs name. */
export interface MissingOutputs extends BuildOutputs {
  name: string;
  deployable: string;
  package: string;
}

/**
 * After the build: the deployables with a `build` script whose declared outputs (turbo.json,
 * or devkit's default pipeline) match no file. Packing them would give an app layer without
 * the build's output — an artifact that cannot run — so the caller refuses instead. A package
 * with no build script, no build task or no outputs declared is not checked.
 */
export async function findMissingOutputs(root: string, specs: readonly DeployableSpec[]): Promise<MissingOutputs[]> {
  const missing: MissingOutputs[] = [];
  for (const spec of specs) {
    const pkg = await readPackageJson(root, spec.dir);
    if (typeof pkg.scripts?.build !== 'string') continue;
    const outputs = await resolveBuildOutputs(root, spec.dir, spec.packageName, { files: pkg.files });
    if (!outputs.hasTask || !outputs.globs.some((g) => !g.startsWith('!'))) continue;
    if (await anyFile(join(root, spec.dir), compileOutputs(outputs.globs))) continue;
    missing.push({ ...outputs, name: spec.name, deployable: spec.dir, package: spec.packageName });
  }
  return missing;
}

/** Whether some file under `dir` (not in node_modules, .git or devkit's own folders) matches; stops at the first. */
async function anyFile(dir: string, matches: (rel: string) => boolean): Promise<boolean> {
  const walk = async (rel: string): Promise<boolean> => {
    const entries = await readdir(rel ? join(dir, rel) : dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === 'node_modules' || entry.name === '.git' || isOwnPath(child)) continue;
      if (entry.isDirectory()) {
        if (await walk(child)) return true;
      } else if (matches(child)) return true;
    }
    return false;
  };
  return walk('');
}
