import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readFileIfExists, usageError } from '@devkit/core';

/**
 * The folders of a pnpm workspace's packages, from pnpm-workspace.yaml's `packages:` list.
 * Only the forms monorepos use in practice are read: `dir`, `dir/*` and `dir/**`.
 */
async function workspaceDirs(root: string): Promise<string[]> {
  const text = (await readFileIfExists(join(root, 'pnpm-workspace.yaml'))) ?? '';
  const patterns: string[] = [];
  let inPackages = false;
  for (const line of text.split('\n')) {
    if (/^packages:\s*$/.test(line)) inPackages = true;
    else if (/^\S/.test(line)) inPackages = false;
    else if (inPackages) {
      const m = /^\s*-\s*['"]?([^'"#]+?)['"]?\s*(#.*)?$/.exec(line);
      if (m?.[1] && !m[1].startsWith('!')) patterns.push(m[1]);
    }
  }
  const dirs: string[] = [];
  for (const pattern of patterns) {
    const base = pattern.replace(/\/\*\*?$/, '');
    if (base === pattern) dirs.push(resolve(root, pattern));
    else if (existsSync(join(root, base))) {
      for (const e of await readdir(join(root, base), { withFileTypes: true }))
        if (e.isDirectory()) dirs.push(resolve(root, base, e.name));
    }
  }
  return dirs;
}

/** The folder of the workspace package `name`: devkit.json's `path` if given, else found by name. */
export async function findPackageDir(root: string, name: string, path: string | undefined): Promise<string> {
  if (path !== undefined) {
    const dir = resolve(root, path);
    if (!existsSync(dir))
      throw usageError('E_NATIVE_PACKAGE_PATH', `native.packages.${name}.path: ${path} does not exist`, {
        hint: `fix the path in devkit.json (relative to ${root})`,
      });
    return dir;
  }
  for (const dir of await workspaceDirs(root)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(await readFile(manifest, 'utf8')) as { name?: string };
    if (pkg.name === name) return dir;
  }
  throw usageError('E_NATIVE_PACKAGE_NOT_FOUND', `native package "${name}" is not a package of this workspace`, {
    hint: `check the name in devkit.json native.packages, or give its folder as native.packages["${name}"].path`,
  });
}
