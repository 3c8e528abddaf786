import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, pack, type Pack } from 'tar-stream';

/** One file to put in a tar stream: its path inside the archive and where its bytes are. */
export interface TarEntry {
  name: string;
  source: string;
}

/** Folders never copied into a builder: dependencies, outputs, and devkit's own state. */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', '.devkit', 'build', 'prebuilds', 'dist']);

/** Lists the files under `root` (sorted, relative, `/`-separated), leaving out SKIPPED_DIRS. */
export async function listFiles(root: string, skip: ReadonlySet<string> = SKIPPED_DIRS): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.isDirectory() && skip.has(e.name)) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() || e.isSymbolicLink())
        out.push({ name: relative(root, full).split(sep).join('/'), source: full });
    }
  };
  await walk(root);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A tar stream of the given files under `prefix`, in the given order, with one mtime and root
 * ownership: the same files give the same bytes, so what the builder sees never varies by host.
 */
export function packEntries(entries: readonly TarEntry[], options: { prefix?: string; mtime: Date }): Readable {
  const p: Pack = pack();
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
  void (async () => {
    try {
      for (const entry of entries) {
        const st = await lstat(entry.source);
        const header = { name: prefix + entry.name, mtime: options.mtime, uid: 0, gid: 0, uname: '', gname: '' };
        if (st.isSymbolicLink()) {
          p.entry({ ...header, type: 'symlink', linkname: await readlink(entry.source) });
          continue;
        }
        const mode = st.mode & 0o111 ? 0o755 : 0o644;
        await new Promise<void>((resolvePromise, reject) => {
          const sink = p.entry({ ...header, type: 'file', size: st.size, mode }, (error) =>
            error ? reject(error) : resolvePromise(),
          );
          const source = createReadStream(entry.source).on('error', reject);
          // The archive's reader can go away mid-entry (a builder container that exits without
          // reading its stdin): the entry then fails here, not as an 'error' nobody listens to.
          sink.on('error', (error: Error) => {
            source.destroy();
            reject(error);
          });
          source.pipe(sink);
        });
      }
      p.finalize();
    } catch (error) {
      p.destroy(error as Error);
    }
  })();
  return p as unknown as Readable;
}

/**
 * Extracts regular files from a tar stream into `dir`, stripping `strip` leading path parts.
 * Nothing lands outside `dir`; links, devices and setuid bits are dropped. Returns the files written.
 */
export async function extractRegularFiles(stream: Readable, dir: string, strip = 0): Promise<string[]> {
  const root = resolve(dir);
  const written: string[] = [];
  const ex = extract();
  const done = new Promise<void>((resolvePromise, reject) => {
    ex.on('entry', (header, body, next) => {
      const parts = header.name.split('/').filter((s) => s !== '' && s !== '.');
      const rel = parts.slice(strip).join('/');
      const target = resolve(root, rel);
      const inside = target.startsWith(root + sep);
      if (header.type !== 'file' || !inside || rel === '') {
        body.resume();
        body.on('end', next);
        return;
      }
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('error', reject);
      body.on('end', () => {
        mkdir(dirname(target), { recursive: true })
          .then(() => writeFile(target, Buffer.concat(chunks), { mode: (header.mode ?? 0o644) & 0o755 }))
          .then(() => {
            written.push(rel);
            next();
          }, reject);
      });
    });
    ex.on('finish', resolvePromise);
    ex.on('error', reject);
    stream.on('error', reject);
  });
  stream.pipe(ex);
  await done;
  return written.sort();
}
