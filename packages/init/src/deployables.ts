import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface DeployablesInference {
  /** Folders for devkit.json artifacts.deployables, relative to the root, sorted. */
  deployables: string[];
  /** Why each one was chosen: `apps/api (apps/*, start script)`. */
  reasons: Record<string, string>;
  notes: string[];
}

/** The artifact name devkit build gives a deployable folder (its lower-cased base name), as it checks it. */
const ARTIFACT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The `packages:` globs of pnpm-workspace.yaml; empty when there is none. */
async function workspaceGlobs(root: string): Promise<string[]> {
  const text = await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const { load } = await import('js-yaml');
  try {
    const doc = load(text) as { packages?: unknown } | null;
    return Array.isArray(doc?.packages) ? doc.packages.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return []; // the lockfile check reports a broken workspace file; init infers from apps/ alone
  }
}

/**
 * Deployables: every folder under apps/ with a package.json, and every workspace package whose
 * package.json has a `start` script (something that runs, not a library).
 */
export async function inferDeployables(root: string): Promise<DeployablesInference> {
  const globs = await workspaceGlobs(root);
  const { glob } = await import('tinyglobby');
  const include = globs.filter((g) => !g.startsWith('!')).map((g) => `${g.replace(/\/+$/, '')}/package.json`);
  const ignore = ['**/node_modules/**', ...globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1))];
  const manifests = await glob(['apps/*/package.json', ...include], { cwd: root, ignore, expandDirectories: false });
  const reasons: Record<string, string> = {};
  const notes: string[] = [];
  for (const file of manifests.sort()) {
    const dir = dirname(file);
    if (dir === '.' || dir === '') continue;
    let pkg: { scripts?: Record<string, unknown> };
    try {
      pkg = JSON.parse(await readFile(join(root, file), 'utf8')) as typeof pkg;
    } catch {
      notes.push(`${file} is not valid JSON: not considered as a deployable`);
      continue;
    }
    const why = [
      dir.startsWith('apps/') && dir.split('/').length === 2 ? 'in apps/' : '',
      typeof pkg.scripts?.start === 'string' ? 'has a start script' : '',
    ]
      .filter(Boolean)
      .join(', ');
    if (!why) continue;
    reasons[dir] = why;
  }
  const byName = new Map<string, string>();
  const deployables: string[] = [];
  for (const dir of Object.keys(reasons).sort()) {
    const name = basename(dir).toLowerCase();
    if (!ARTIFACT_NAME.test(name)) {
      notes.push(
        `${dir}: its artifact name would be "${name}", which is not valid (lower-case letters, digits, . _ -): not added`,
      );
      delete reasons[dir];
      continue;
    }
    const clash = byName.get(name);
    if (clash) {
      notes.push(`${dir}: its artifact name "${name}" is also ${clash}'s: not added (rename one folder to add both)`);
      delete reasons[dir];
      continue;
    }
    byName.set(name, dir);
    deployables.push(dir);
  }
  return { deployables, reasons, notes };
}
