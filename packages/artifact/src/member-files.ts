import { lstat, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { runCommand, usageError } from '@devkit/core';
import { compileOutputs, compilePatterns } from './glob.js';
import { scanDirectory, type LayerEntry } from './layer-entry.js';
import { isOwnPath, ownPathspecs } from './own-files.js';
import { resolveBuildOutputs } from './turbo-config.js';

/**
 * Files as git sees them under `dir` (repo-relative POSIX paths): tracked plus untracked
 * that are not ignored, present on disk. This is what a clone has, so it is what the inputs
 * digest hashes: ignored build output, editor files and node_modules never count, nor do
 * devkit's and turbo's own folders (.devkit/, .turbo/) when .gitignore does not list them.
 */
export async function gitVisibleFiles(root: string, dir: string): Promise<string[]> {
  const { stdout } = await runCommand(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', dir === '.' ? '.' : dir, ...ownPathspecs()],
    {
      cwd: root,
      failure: {
        code: 'E_NOT_A_GIT_REPO',
        exitCode: 2,
        hint: 'run `devkit build` inside a git checkout (`git init` and commit first)',
      },
    },
  );
  const names = [...new Set(stdout.split('\0').filter((n) => n.length > 0))];
  const present: string[] = [];
  for (const name of names) {
    try {
      const st = await lstat(join(root, name));
      if (st.isFile() || st.isSymbolicLink()) present.push(name);
    } catch {
      // tracked but deleted in the work tree: not an input any more
    }
  }
  return present.sort();
}

/**
 * The build outputs turbo declares for `<package>#build` (root turbo.json or turbo.jsonc,
 * package configurations, devkit's default pipeline when there is no turbo.json), relative to
 * the package folder.
 */
export async function turboOutputs(root: string, memberDir: string, packageName: string): Promise<string[]> {
  return (await resolveBuildOutputs(root, memberDir, packageName)).globs;
}

export interface PackageJson {
  name?: string;
  files?: string[];
  scripts?: Record<string, string>;
}

export async function readPackageJson(root: string, memberDir: string): Promise<PackageJson> {
  const file = join(root, memberDir, 'package.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PackageJson;
  } catch (error) {
    throw usageError('E_DEPLOYABLE_PACKAGE', `${file} is missing or not JSON: ${(error as Error).message}`, {
      hint: 'artifacts.deployables in devkit.json must name workspace package folders',
    });
  }
}

/**
 * What a workspace member ships, as layer entries under `prefix`: with a package.json
 * "files" list, package.json plus those (as `npm pack` would); otherwise the files git sees
 * plus the build outputs turbo declares. Never node_modules or turbo's logs.
 */
export async function memberEntries(root: string, memberDir: string, prefix: string): Promise<LayerEntry[]> {
  const pkg = await readPackageJson(root, memberDir);
  const abs = join(root, memberDir);
  const keep = (rel: string) => !/(^|\/)(node_modules|\.git)(\/|$)/.test(rel) && !isOwnPath(rel);
  if (Array.isArray(pkg.files)) {
    const inFiles = compilePatterns(pkg.files);
    const always = /^(package\.json|readme(\.[^/]*)?|licen[cs]e(\.[^/]*)?)$/i;
    return scanDirectory(abs, {
      prefix,
      include: (rel, isDir) => keep(rel) && (isDir ? true : always.test(rel) || inFiles(rel)),
    }).then(dropEmptyDirs);
  }
  const outputs = await turboOutputs(root, memberDir, pkg.name ?? '');
  const isOutput = compileOutputs(outputs);
  const visible = new Set(
    (await gitVisibleFiles(root, memberDir)).map((p) => posix.relative(memberDir === '.' ? '' : memberDir, p)),
  );
  const scanned = await scanDirectory(abs, {
    prefix,
    include: (rel, isDir) => keep(rel) && (isDir || visible.has(rel) || isOutput(rel)),
  });
  return dropEmptyDirs(scanned);
}

/** Folders with nothing kept inside are not part of the output. */
function dropEmptyDirs(entries: LayerEntry[]): LayerEntry[] {
  const used = new Set<string>();
  for (const e of entries) {
    if (e.type === 'dir') continue;
    let parent = posix.dirname(e.path);
    while (parent !== '.' && !used.has(parent)) {
      used.add(parent);
      parent = posix.dirname(parent);
    }
  }
  return entries.filter((e) => e.type !== 'dir' || used.has(e.path));
}
