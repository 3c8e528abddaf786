import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { usageError } from '@devkit/core';

/**
 * One entry of a layer, named by its path inside the archive (POSIX, relative, no `./`, no
 * trailing slash). Only what a deterministic archive keeps: the kind, the exec bit, the size
 * and where the bytes come from — never times, owners or the source's other mode bits.
 */
export type LayerEntry =
  | { type: 'dir'; path: string }
  | { type: 'file'; path: string; source: string; size: number; executable: boolean }
  | { type: 'symlink'; path: string; target: string };

/** Bytewise (UTF-8) order of the names as written: a directory sorts as `name/`, so parents precede children. */
export function compareEntryNames(a: LayerEntry, b: LayerEntry): number {
  return Buffer.compare(Buffer.from(archiveName(a)), Buffer.from(archiveName(b)));
}

export function archiveName(entry: LayerEntry): string {
  return entry.type === 'dir' ? `${entry.path}/` : entry.path;
}

export interface ScanOptions {
  /** Prefix every archive path with this folder (POSIX, no trailing slash). */
  prefix?: string;
  /** Keep a path (relative to the scanned folder, POSIX)? Folders refused here are not entered. */
  include?: (relPath: string, isDir: boolean) => boolean;
}

/**
 * Lists a folder as layer entries. Devices, FIFOs and sockets are refused by name: an
 * artifact never carries them.
 */
export async function scanDirectory(root: string, options: ScanOptions = {}): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  const prefix = options.prefix ? options.prefix.replace(/\/+$/, '') : '';
  const toArchive = (rel: string) => (prefix ? (rel ? `${prefix}/${rel}` : prefix) : rel);
  const walk = async (rel: string): Promise<void> => {
    const dir = rel ? join(root, rel) : root;
    const names = await readdir(dir);
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = join(dir, name);
      const st = await lstat(abs);
      if (st.isDirectory()) {
        if (options.include && !options.include(childRel, true)) continue;
        out.push({ type: 'dir', path: toArchive(childRel) });
        await walk(childRel);
      } else if (options.include && !options.include(childRel, false)) {
        continue;
      } else if (st.isFile()) {
        out.push({
          type: 'file',
          path: toArchive(childRel),
          source: abs,
          size: st.size,
          executable: (st.mode & 0o111) !== 0,
        });
      } else if (st.isSymbolicLink()) {
        out.push({ type: 'symlink', path: toArchive(childRel), target: await readlink(abs) });
      } else {
        throw usageError(
          'E_PACK_SPECIAL_FILE',
          `${abs} is a device, FIFO or socket: artifacts hold only files, folders and links`,
          {
            hint: `remove ${abs} from the deployable or exclude it from the package's "files"`,
          },
        );
      }
    }
  };
  await walk('');
  return out;
}

/**
 * Sorts entries, adds missing parent folders, and refuses what a safe, reproducible archive
 * cannot hold: duplicate names, unsafe names, links that leave the archive root.
 */
export function normalizeEntries(entries: readonly LayerEntry[]): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const entry of entries) {
    checkArchivePath(entry.path);
    const existing = byPath.get(entry.path);
    if (existing) {
      if (existing.type === 'dir' && entry.type === 'dir') continue;
      throw usageError('E_PACK_DUPLICATE', `two layer entries are both named ${entry.path}`);
    }
    byPath.set(entry.path, entry);
  }
  for (const entry of [...byPath.values()]) {
    let parent = posix.dirname(entry.path);
    while (parent !== '.' && !byPath.has(parent)) {
      byPath.set(parent, { type: 'dir', path: parent });
      parent = posix.dirname(parent);
    }
    if (parent !== '.' && byPath.get(parent)?.type !== 'dir') {
      throw usageError('E_PACK_DUPLICATE', `${entry.path} sits under ${parent}, which is not a folder`);
    }
  }
  for (const entry of byPath.values()) {
    if (entry.type === 'symlink') checkLinkInside(entry.path, entry.target);
  }
  return [...byPath.values()].sort(compareEntryNames);
}

/** A name inside an archive: relative, no `.`/`..` segments, no empty segments, no NUL. */
export function checkArchivePath(path: string): void {
  const bad =
    path.length === 0 ||
    path.startsWith('/') ||
    path.includes('\0') ||
    path.includes('\\') ||
    path.split('/').some((seg) => seg === '' || seg === '.' || seg === '..');
  if (bad)
    throw usageError(
      'E_PACK_BAD_PATH',
      `"${path}" is not a safe archive path (relative, no ".", ".." or empty segments)`,
    );
}

/** Whether a link at `linkPath` pointing at `target` stays inside the archive root. */
export function linkStaysInside(linkPath: string, target: string): boolean {
  if (target.length === 0 || target.startsWith('/') || target.includes('\0')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  return resolved !== '..' && !resolved.startsWith('../') && !posix.isAbsolute(resolved);
}

function checkLinkInside(linkPath: string, target: string): void {
  if (!linkStaysInside(linkPath, target)) {
    throw usageError('E_PACK_LINK_ESCAPES', `the link ${linkPath} → ${target} points outside the artifact`, {
      hint: 'make the link relative and inside the deployable, or replace it with the file it points to',
    });
  }
}
