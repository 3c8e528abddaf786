import { closeSync, openSync, readSync } from 'node:fs';
import { Header, Pax } from 'tar';
import { usageError } from '@devkit/core';
import { archiveName, type LayerEntry } from './layer-entry.js';

/**
 * The one time every entry carries unless SOURCE_DATE_EPOCH says otherwise:
 * 1980-01-01T00:00:00Z, the earliest time ZIP-based tools accept. Not the commit time, so
 * the same output of two commits gives the same bytes and dedupes.
 */
export const DEFAULT_MTIME_SECONDS = 315_532_800;

const BLOCK = 512;
const READ_SIZE = 1 << 20;
const ZEROS = Buffer.alloc(BLOCK * 2);

/**
 * The bytes of a deterministic tar of already-normalised entries, as a stream of buffers:
 * ustar headers (pax only for names or links too long for ustar, and then holding only
 * those), uid/gid 0 without names, modes 0755/0644 (0777 for links), one mtime, no
 * atime/ctime. File contents are streamed; nothing holds a whole file. A yielded buffer is
 * only valid until the next one is asked for: file contents come through one reused buffer.
 */
export async function* tarChunks(entries: readonly LayerEntry[], mtimeSeconds: number): AsyncGenerator<Buffer> {
  const mtime = new Date(mtimeSeconds * 1000);
  const readBuffer = Buffer.allocUnsafe(READ_SIZE);
  for (const entry of entries) {
    const name = archiveName(entry);
    const size = entry.type === 'file' ? entry.size : 0;
    const linkpath = entry.type === 'symlink' ? entry.target : '';
    const mode = entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : entry.executable ? 0o755 : 0o644;
    const type = entry.type === 'dir' ? 'Directory' : entry.type === 'symlink' ? 'SymbolicLink' : 'File';
    const header = new Header({
      path: name,
      mode,
      uid: 0,
      gid: 0,
      size,
      mtime,
      type,
      linkpath,
      uname: '',
      gname: '',
      devmaj: 0,
      devmin: 0,
    });
    const block = Buffer.alloc(BLOCK);
    if (header.encode(block)) {
      // Only the fields ustar cannot hold go into the pax record, never times or ids.
      const pax = new Pax({ path: name, linkpath: linkpath || undefined, mtime: undefined });
      yield pax.encode();
      const short = new Header({
        path: shortName(name),
        mode,
        uid: 0,
        gid: 0,
        size,
        mtime,
        type,
        linkpath: linkpath.slice(0, 100),
        uname: '',
        gname: '',
        devmaj: 0,
        devmin: 0,
      });
      const fallback = Buffer.alloc(BLOCK);
      short.encode(fallback);
      yield fallback;
    } else {
      yield block;
    }
    if (entry.type === 'file') {
      yield* fileChunks(entry.source, entry.size, entry.path, readBuffer);
      const pad = (BLOCK - (entry.size % BLOCK)) % BLOCK;
      if (pad > 0) yield ZEROS.subarray(0, pad);
    }
  }
  yield ZEROS;
}

function shortName(name: string): string {
  // The ustar name field of an entry whose real name lives in its pax record: a stable
  // truncation, so readers without pax support still get the same bytes every time.
  return name.replace(/[^\x20-\x7e]/g, '_').slice(0, 99);
}

/**
 * A file's bytes in 1 MiB reads. The reads are synchronous on purpose: libuv's thread pool
 * is busy deflating blocks (see block-gzip.ts), and an asynchronous read would queue behind
 * those jobs, leaving the compressor starved of input; a read from the page cache on the main
 * thread costs microseconds.
 */
function* fileChunks(source: string, size: number, path: string, buf: Buffer): Generator<Buffer> {
  const fd = openSync(source, 'r');
  try {
    let done = 0;
    while (done < size) {
      const want = Math.min(READ_SIZE, size - done);
      const bytesRead = readSync(fd, buf, 0, want, done);
      if (bytesRead === 0) throw changed(path, source);
      done += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
    if (readSync(fd, buf, 0, 1, size) !== 0) throw changed(path, source);
  } finally {
    closeSync(fd);
  }
}

function changed(path: string, source: string) {
  return usageError('E_PACK_FILE_CHANGED', `${source} changed size while it was being packed (as ${path})`, {
    hint: 'run `devkit build` again once nothing is writing to the build output',
  });
}
