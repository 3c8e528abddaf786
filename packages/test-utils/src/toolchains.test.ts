import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from './index.js';
import { pnpmMajor, provisionPnpm } from './toolchains.js';

/** A cache folder holding a complete (recorded) pnpm version folder with the given files. */
function cacheWithPnpm(version: string, files: Record<string, string>): { env: NodeJS.ProcessEnv; dir: string } {
  const cache = tempDir('devkit-toolchain-cache-');
  const dir = join(cache, 'toolchains/pnpm', version);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  writeFileSync(join(dir, '.devkit-toolchain.json'), JSON.stringify({ name: 'pnpm', version }));
  return { env: { ...process.env, DEVKIT_CACHE_DIR: cache }, dir };
}

// 9.999.999 and 12.999.999 are versions the registry does not have: asking for them fails
describe('provisionPnpm', () => {
  afterAll(() => cleanupTempDirs());

  it('runs pnpm up to 11 as bin/pnpm.cjs on this Node when its engines allow, from the cache alone', async () => {
    const { env, dir } = cacheWithPnpm('9.999.999', { 'package.json': '{"engines":{"node":">=18.12"}}' });
    await expect(provisionPnpm('9.999.999', env)).resolves.toEqual({
      file: process.execPath,
      args: [join(dir, 'bin/pnpm.cjs')],
      version: '9.999.999',
    });
  });

  it('runs pnpm 12 as its standalone executable', async () => {
    const { env, dir } = cacheWithPnpm('12.999.999', {});
    await expect(provisionPnpm('12.999.999', env)).resolves.toEqual({
      file: join(dir, 'pnpm'),
      args: [],
      version: '12.999.999',
    });
  });

  it('fails naming a version the registry does not publish', async () => {
    const env = { ...process.env, DEVKIT_CACHE_DIR: tempDir('devkit-toolchain-cache-') };
    await expect(provisionPnpm('9.999.999', env)).rejects.toThrow(/pnpm 9\.999\.999, which is not published/);
  });

  it('takes exact versions only', () => {
    expect(pnpmMajor('11.28.13')).toBe(11);
    expect(() => pnpmMajor('11')).toThrow(/not an exact pnpm version/);
  });
});
