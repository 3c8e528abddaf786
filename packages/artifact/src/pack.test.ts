import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import { listLayer } from './layer-reader.js';
import { scanDirectory } from './layer-entry.js';
import { packLayer } from './pack.js';
import { OciStore } from './store.js';

afterAll(cleanupTempDirs);

function makeTree(root: string, variant: { mtime: number; umask: number }) {
  const old = process.umask(variant.umask);
  try {
    mkdirSync(join(root, 'dist/nested'), { recursive: true });
    writeFileSync(join(root, 'dist/index.js'), 'export const a = 1;\n');
    writeFileSync(join(root, 'dist/nested/b.txt'), 'b'.repeat(5000));
    writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(root, 'run.sh'), 0o700 & ~variant.umask);
    writeFileSync(join(root, `${'long-name-'.repeat(12)}.js`), 'x');
    writeFileSync(join(root, 'ünïcode.txt'), 'u');
    symlinkSync('dist/index.js', join(root, 'main.js'));
    for (const f of ['dist/index.js', 'dist/nested/b.txt', 'run.sh'])
      utimesSync(join(root, f), variant.mtime, variant.mtime);
  } finally {
    process.umask(old);
  }
}

describe('packLayer', () => {
  it('gives the same bytes for the same tree whatever its times, umask and folder', async () => {
    const a = tempDir();
    const b = tempDir();
    makeTree(a, { mtime: 1_000_000, umask: 0o022 });
    makeTree(b, { mtime: 1_700_000_000, umask: 0o077 });
    const store = await OciStore.open(tempDir());
    const la = await packLayer(await scanDirectory(a), store);
    const lb = await packLayer(await scanDirectory(b), store);
    expect(lb.digest).toBe(la.digest);
    expect(lb.diffId).toBe(la.diffId);
    const { entries } = await listLayer(store, la.digest);
    expect(entries.map((e) => e.path)).toEqual(
      [...entries.map((e) => e.path)].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
    );
    for (const e of entries) {
      expect(e.uid).toBe(0);
      expect(e.gid).toBe(0);
      expect(e.mtime).toBe(315_532_800);
      expect([0o644, 0o755, 0o777]).toContain(e.mode);
    }
    expect(entries.find((e) => e.path === 'run.sh')?.mode).toBe(0o755);
    expect(entries.find((e) => e.path === 'dist/index.js')?.mode).toBe(0o644);
    expect(entries.find((e) => e.path === 'main.js')).toMatchObject({
      type: 'SymbolicLink',
      linkpath: 'dist/index.js',
    });
    expect(entries.some((e) => e.path.startsWith('long-name-'))).toBe(true);
  });

  it('writes a gzip GNU tar reads, with no name, mtime 0 and a fixed OS byte, across many 1 MiB blocks', async () => {
    const src = tempDir();
    writeFileSync(join(src, 'random.bin'), randomBytes(3 * 1024 * 1024 + 123));
    writeFileSync(join(src, 'text.txt'), 'the quick brown fox '.repeat(200_000));
    const store = await OciStore.open(tempDir());
    const layer = await packLayer(await scanDirectory(src), store, { mtimeSeconds: 42 });
    const blob = store.blobPath(layer.digest);
    const header = execFileSync('head', ['-c', '10', blob]);
    expect([...header]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    execFileSync('gzip', ['-t', blob]);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvzf', blob], { encoding: 'utf8' });
    expect(listing).toMatch(/-rw-r--r-- 0\/0 +3145851 1970-01-01 00:00 random.bin/);
    const out = tempDir();
    execFileSync('tar', ['-xzf', blob, '-C', out]);
    expect(execFileSync('cmp', [join(src, 'random.bin'), join(out, 'random.bin')]).length).toBe(0);
    const again = await packLayer(await scanDirectory(src), store, { mtimeSeconds: 42 });
    expect(again.digest).toBe(layer.digest);
  });

  it('reads back an empty layer (an app without dependencies) and still refuses a blob that is not a tar', async () => {
    const store = await OciStore.open(tempDir());
    const empty = await packLayer([], store);
    expect(execFileSync('tar', ['-tzf', store.blobPath(empty.digest)], { encoding: 'utf8' })).toBe('');
    expect(await listLayer(store, empty.digest)).toEqual({ diffId: empty.diffId, entries: [] });

    for (const tarBytes of [Buffer.from('not a tar archive\n'.repeat(100)), Buffer.alloc(512)]) {
      const writer = await store.createBlobWriter();
      await writer.write(gzipSync(tarBytes));
      const { digest } = await writer.commit();
      await expect(listLayer(store, digest)).rejects.toMatchObject({
        code: expect.stringMatching(/^TAR_(BAD_ARCHIVE|ENTRY_INVALID)$/),
      });
    }
  });

  it('refuses a link that leaves the tree and a FIFO, naming them', async () => {
    const src = tempDir();
    symlinkSync('../../etc/passwd', join(src, 'escape'));
    const store = await OciStore.open(tempDir());
    await expect(packLayer(await scanDirectory(src), store)).rejects.toMatchObject({ code: 'E_PACK_LINK_ESCAPES' });
    const fifo = tempDir();
    execFileSync('mkfifo', [join(fifo, 'pipe')]);
    await expect(scanDirectory(fifo)).rejects.toMatchObject({ code: 'E_PACK_SPECIAL_FILE' });
  });
});
