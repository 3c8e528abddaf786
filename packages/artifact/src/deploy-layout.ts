import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { usageError } from '@devkit/core';
import type { ParsedLockfile } from '@devkit/lockfile';
import { importerEdges, snapshotEdges, type DependencyEdge } from '@devkit/lockfile/closure';
import { scanDirectory, type LayerEntry } from './layer-entry.js';
import { memberEntries } from './member-files.js';

/** One package of a deployable's production closure and where it lands in the artifact. */
interface DeployNode {
  /** Folder under node_modules/.pnpm/ (the name pnpm's virtual store uses; `workspace+…` for members). */
  storeDir: string;
  name: string;
  edges: DependencyEdge[];
  /** Installed copy (packages) or member folder (workspace). */
  source: { kind: 'package'; dir: string } | { kind: 'workspace'; importer: string };
}

/**
 * The `deps` layer of a deployable: its production dependencies laid out as `pnpm deploy`
 * does — `node_modules/.pnpm/<dir>/node_modules/<name>` holding each package, sibling links
 * for its own dependencies, top-level links for the direct ones — resolved from the
 * lockfile (no dev dependencies) and copied from the installed virtual store. Workspace
 * members it depends on are copied in as packages too.
 */
export async function planDependencyEntries(
  root: string,
  lock: ParsedLockfile,
  importer: string,
): Promise<LayerEntry[]> {
  const nodes = new Map<string, DeployNode>();
  const entries: LayerEntry[] = [];

  const workspaceDir = (member: string) => `workspace+${member.replaceAll('/', '+')}`;
  const nodeKey = (n: DeployNode) => n.storeDir;

  const visitWorkspace = async (member: string, name: string): Promise<DeployNode> => {
    const key = workspaceDir(member);
    const existing = nodes.get(key);
    if (existing) return existing;
    const node: DeployNode = {
      storeDir: key,
      name,
      edges: importerEdges(lock, member, false),
      source: { kind: 'workspace', importer: member },
    };
    nodes.set(key, node);
    await visitEdges(node, join(root, member, 'node_modules'));
    return node;
  };

  const visitPackage = async (
    installedAt: string,
    name: string,
    optional: boolean,
    key: string,
  ): Promise<DeployNode | undefined> => {
    let real: string;
    try {
      await lstat(installedAt);
      real = await realpath(installedAt);
    } catch {
      if (optional || lock.snapshots.get(key)?.optional) return undefined; // not for this platform
      throw usageError(
        'E_DEPENDENCY_NOT_INSTALLED',
        `${name} (${key}) is in the lockfile but not installed at ${installedAt}`,
        {
          hint: 'run `pnpm install --frozen-lockfile` at the workspace root, then `devkit build` again',
        },
      );
    }
    // <store>/.pnpm/<storeDir>/node_modules/<name>
    const nodeModules = name.startsWith('@') ? dirname(dirname(real)) : dirname(real);
    const storeDir = basename(dirname(nodeModules));
    if (basename(nodeModules) !== 'node_modules' || basename(dirname(dirname(nodeModules))) !== '.pnpm') {
      throw usageError(
        'E_DEPENDENCY_LAYOUT',
        `${name} resolves to ${real}, not into pnpm's virtual store (node_modules/.pnpm)`,
        {
          hint: "use pnpm's default isolated node_modules (no node-linker=hoisted) and run `pnpm install --frozen-lockfile`",
        },
      );
    }
    const existing = nodes.get(storeDir);
    if (existing) return existing;
    const node: DeployNode = {
      storeDir,
      name,
      edges: snapshotEdges(lock, key),
      source: { kind: 'package', dir: real },
    };
    nodes.set(storeDir, node);
    await visitEdges(node, nodeModules);
    return node;
  };

  const links = new Map<DeployNode, Array<{ name: string; to: DeployNode }>>();

  const visitEdges = async (node: DeployNode, nodeModules: string) => {
    const out: Array<{ name: string; to: DeployNode }> = [];
    for (const edge of node.edges) {
      const child =
        edge.target.kind === 'workspace'
          ? await visitWorkspace(edge.target.importer, edge.name)
          : await visitPackage(join(nodeModules, edge.name), edge.name, edge.optional, edge.target.key);
      if (child) out.push({ name: edge.name, to: child });
    }
    links.set(node, out);
  };

  const top: DeployNode = {
    storeDir: '',
    name: '',
    edges: importerEdges(lock, importer, false),
    source: { kind: 'workspace', importer },
  };
  await visitEdges(top, join(root, importer, 'node_modules'));

  const packageDir = (n: DeployNode) => `node_modules/.pnpm/${n.storeDir}/node_modules/${n.name}`;
  for (const { name, to } of links.get(top) ?? []) {
    const at = `node_modules/${name}`;
    entries.push({ type: 'symlink', path: at, target: posix.relative(posix.dirname(at), packageDir(to)) });
  }
  for (const node of [...nodes.values()].sort((a, b) => (nodeKey(a) < nodeKey(b) ? -1 : 1))) {
    const dir = packageDir(node);
    if (node.source.kind === 'package') {
      // Installed packages: everything but nested node_modules (pnpm's .bin shims hold absolute paths).
      entries.push(
        ...(await scanDirectory(node.source.dir, {
          prefix: dir,
          include: (rel) => !/(^|\/)node_modules(\/|$)/.test(rel),
        })),
      );
    } else {
      entries.push(...(await memberEntries(root, node.source.importer, dir)));
    }
    for (const { name, to } of links.get(node) ?? []) {
      if (name === node.name) continue;
      const at = `node_modules/.pnpm/${node.storeDir}/node_modules/${name}`;
      entries.push({ type: 'symlink', path: at, target: posix.relative(posix.dirname(at), packageDir(to)) });
    }
  }
  return entries;
}
