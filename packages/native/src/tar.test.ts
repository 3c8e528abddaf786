import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import { extractRegularFiles, listFiles, packEntries } from './tar.js';

afterAll(() => cleanupTempDirs());

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('source archives', () => {
  it('an archive destroyed mid-entry (its reader went away) ends with no error left unhandled', async () => {
    const dir = tempDir('devkit-tar-');
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(4 * 1024 * 1024, 7));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const archive = packEntries([{ name: 'big.bin', source: join(dir, 'big.bin') }], { mtime: new Date(0) });
      const gone = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      const closed = new Promise<unknown>((resolve) =>
        archive.on('error', resolve).on('close', () => resolve(undefined)),
      );
      archive.once('data', () => archive.destroy(gone));
      await closed;
      // Give every stream of the entry its turn to report.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('lists sources without dependencies, outputs or state, and packs the same bytes from any folder', async () => {
    const make = () => {
      const dir = tempDir('devkit-tar-');
      mkdirSync(join(dir, 'src'));
      mkdirSync(join(dir, 'node_modules/x'), { recursive: true });
      mkdirSync(join(dir, 'build'));
      writeFileSync(join(dir, 'src/a.c'), 'int a;\n');
      writeFileSync(join(dir, 'binding.gyp'), '{}\n');
      writeFileSync(join(dir, 'node_modules/x/index.js'), '');
      writeFileSync(join(dir, 'build/a.o'), '');
      symlinkSync('src/a.c', join(dir, 'link.c'));
      return dir;
    };
    const a = make();
    const b = make();
    const files = await listFiles(a);
    expect(files.map((f) => f.name)).toEqual(['binding.gyp', 'link.c', 'src/a.c']);
    const mtime = new Date(315532800 * 1000);
    expect(await bytes(packEntries(await listFiles(a), { mtime }))).toEqual(
      await bytes(packEntries(await listFiles(b), { mtime })),
    );
  });
});

describe('output extraction', () => {
  it('writes regular files only, never outside the folder, without setuid bits', async () => {
    const p = pack();
    p.entry({ name: 'devkit-out/good.node', mode: 0o4755 }, 'addon');
    p.entry({ name: 'devkit-out/../../escape.txt' }, 'nope');
    p.entry({ name: 'devkit-out/link', type: 'symlink', linkname: '/etc/passwd' });
    p.entry({ name: 'devkit-out/dev', type: 'character-device', devmajor: 1, devminor: 3 });
    p.finalize();
    const dir = tempDir('devkit-extract-');
    const written = await extractRegularFiles(p as unknown as Readable, join(dir, 'out'), 1);
    expect(written).toEqual(['good.node']);
    expect(readFileSync(join(dir, 'out/good.node'), 'utf8')).toBe('addon');
    expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
    expect(existsSync(join(dir, 'out/link'))).toBe(false);
    const { statSync } = await import('node:fs');
    expect(statSync(join(dir, 'out/good.node')).mode & 0o7777).toBe(0o755);
  });
});
