import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import { extractLayers } from './extract.js';
import { OciStore } from './store.js';

afterAll(cleanupTempDirs);

interface RawEntry {
  path: string;
  type?: HeaderData['type'];
  mode?: number;
  body?: string;
  linkpath?: string;
}

/** A hand-made archive, as an attacker would write it (GNU tar itself refuses to make most of these). */
function maliciousTarGz(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const block = Buffer.alloc(512);
    new Header({
      path: e.path,
      type: e.type ?? 'File',
      mode: e.mode ?? 0o644,
      size: e.type && e.type !== 'File' ? 0 : body.length,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      linkpath: e.linkpath ?? '',
      devmaj: 1,
      devmin: 3,
    }).encode(block);
    blocks.push(block);
    if (body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

async function tryExtract(entries: RawEntry[]) {
  const store = await OciStore.open(tempDir());
  const { digest } = await store.putBlob(maliciousTarGz(entries));
  const parent = tempDir();
  const target = join(parent, 'out');
  const error = await extractLayers(store, [{ digest, part: 'evil' }], target).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );
  return { error, parent, target };
}

describe('extractLayers refuses malicious archives and leaves nothing behind', () => {
  const cases: Array<[string, RawEntry[], RegExp]> = [
    [
      'a ../ path',
      [
        { path: 'ok.txt', body: 'fine' },
        { path: '../evil.txt', body: 'pwned' },
      ],
      /"\.\." path segment/,
    ],
    ['an absolute path', [{ path: '/tmp/evil.txt', body: 'pwned' }], /absolute path/],
    [
      'a link then a file through it',
      [
        { path: 'dir', type: 'Directory', mode: 0o755 },
        { path: 'ln', type: 'SymbolicLink', linkpath: 'dir' },
        { path: 'ln/evil.txt', body: 'x' },
      ],
      /goes through the link "ln"/,
    ],
    [
      'a link pointing outside',
      [{ path: 'ln', type: 'SymbolicLink', linkpath: '../../../etc' }],
      /outside the target folder/,
    ],
    ['an absolute link', [{ path: 'ln', type: 'SymbolicLink', linkpath: '/etc/passwd' }], /outside the target folder/],
    ['a character device', [{ path: 'null', type: 'CharacterDevice', mode: 0o666 }], /CharacterDevice entry/],
    ['a FIFO', [{ path: 'pipe', type: 'FIFO', mode: 0o644 }], /FIFO entry/],
    ['a setuid file', [{ path: 'su', mode: 0o4755, body: '#!/bin/sh' }], /setuid/],
    ['a hard link to outside', [{ path: 'hl', type: 'Link', linkpath: '../../etc/passwd' }], /hard link/],
  ];
  for (const [what, entries, message] of cases) {
    it(what, async () => {
      const { error, parent, target } = await tryExtract(entries);
      expect(error?.code).toBe('E_EXTRACT_UNSAFE');
      expect(error?.message).toMatch(message);
      expect(existsSync(target)).toBe(false);
      expect(readdirSync(parent)).toEqual([]);
      expect(existsSync(join(parent, '..', 'evil.txt'))).toBe(false);
    });
  }

  it('extracts a well-formed archive', async () => {
    const store = await OciStore.open(tempDir());
    const { digest } = await store.putBlob(
      maliciousTarGz([
        { path: 'a', type: 'Directory', mode: 0o755 },
        { path: 'a/b.txt', body: 'hello' },
        { path: 'c', type: 'SymbolicLink', linkpath: 'a/b.txt' },
      ]),
    );
    const target = join(tempDir(), 'out');
    await extractLayers(store, [{ digest, part: 'ok' }], target);
    expect(readFileSync(join(target, 'c'), 'utf8')).toBe('hello');
  });

  it('refuses a corrupt blob (one byte changed) and writes nothing', async () => {
    const store = await OciStore.open(tempDir());
    const { digest } = await store.putBlob(maliciousTarGz([{ path: 'a.txt', body: 'hello world' }]));
    const path = store.blobPath(digest);
    const bytes = readFileSync(path);
    bytes[bytes.length - 12] = bytes[bytes.length - 12]! ^ 0xff;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, bytes);
    const parent = tempDir();
    await expect(extractLayers(store, [{ digest, part: 'app' }], join(parent, 'out'))).rejects.toMatchObject({
      code: expect.stringMatching(/E_BLOB_CORRUPT|Z_DATA_ERROR/),
    });
    expect(readdirSync(parent)).toEqual([]);
    expect(await store.verifyBlob(digest)).toMatchObject({ state: 'corrupt' });
  });
});
