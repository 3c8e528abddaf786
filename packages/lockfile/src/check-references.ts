import { refToRelative, removeSuffix } from './dep-path.js';
import { DEPENDENCY_FIELDS, type LockfileFinding, type ParsedLockfile } from './types.js';

const FIX = 'pnpm install';

/**
 * References inside the lockfile that lead nowhere, which pnpm's frozen install rejects when
 * it links packages (`ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY`): walking from the importers of the
 * workspace's projects through `snapshots:`, every dependency must have a snapshot, and every
 * snapshot a `packages:` entry. A hand edit or a bad merge leaves such holes. pnpm walks from
 * every importer the lockfile has, those of projects since removed included; snapshots nothing
 * reaches are not looked at.
 */
export function checkReferences(lockfile: ParsedLockfile): LockfileFinding[] {
  const findings: LockfileFinding[] = [];
  const { snapshots } = lockfile;
  const packageIds = new Set<string>();
  for (const pkg of lockfile.packages) packageIds.add(pkg.key);
  const visited = new Set<string>();
  const queue: string[] = [];

  const missing = (
    alias: string,
    ref: string,
    depPath: string,
    by: string,
    importer: string | undefined,
    line: number | undefined,
  ) => {
    if (findings.some((f) => f.package === depPath)) return;
    findings.push({
      code: 'MISSING_PACKAGE',
      kind: 'drift',
      importer,
      dependency: alias,
      lockfile: ref,
      package: depPath,
      line,
      message: `${by} depends on ${alias} ${ref}, but pnpm-lock.yaml has no snapshot ${depPath} (a broken lockfile)`,
      fix: FIX,
    });
  };

  for (const [id, importer] of Object.entries(lockfile.importers)) {
    for (const field of DEPENDENCY_FIELDS) {
      for (const [alias, ref] of Object.entries(importer[field] ?? {})) {
        const depPath = refToRelative(ref, alias);
        if (depPath === null || visited.has(depPath)) continue;
        if (snapshots.has(depPath)) {
          visited.add(depPath);
          queue.push(depPath);
        } else missing(alias, ref, depPath, id, id, undefined);
      }
    }
  }
  while (queue.length > 0) {
    const depPath = queue.pop()!;
    const snapshot = snapshots.get(depPath)!;
    const pkgId = removeSuffix(depPath);
    if (!packageIds.has(pkgId) && !findings.some((f) => f.package === pkgId)) {
      findings.push({
        code: 'MISSING_PACKAGE',
        kind: 'drift',
        package: pkgId,
        line: snapshot.line || undefined,
        lockfile: null,
        message: `pnpm-lock.yaml has a snapshot ${depPath} but no packages entry ${pkgId} to resolve it from (a broken lockfile)`,
        fix: FIX,
      });
    }
    const refs = snapshot.refs;
    for (let i = 0; i < refs.length; i += 2) {
      const alias = refs[i]!;
      const ref = refs[i + 1]!;
      const child = refToRelative(ref, alias);
      if (child === null || visited.has(child)) continue;
      if (snapshots.has(child)) {
        visited.add(child);
        queue.push(child);
      } else missing(alias, ref, child, depPath, undefined, snapshot.line || undefined);
    }
  }
  // in file order: importers first, then by the line of the snapshot that refers
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
