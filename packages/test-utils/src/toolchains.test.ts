import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from './index.js';
import { pnpmMajor, provisionToolchain, toolPackage, toolchainCacheDir } from './toolchains.js';

describe('toolchainCacheDir', () => {
  it('follows DEVKIT_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(toolchainCacheDir({ DEVKIT_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c/toolchains');
    expect(toolchainCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/devkit/toolchains');
    expect(toolchainCacheDir({})).toMatch(/\/\.cache\/devkit\/toolchains$/);
  });
});

describe('toolPackage', () => {
  it('is the pnpm package up to pnpm 11 and the standalone executable from pnpm 12', () => {
    expect(toolPackage('pnpm', '9.15.9')).toBe('pnpm');
    expect(toolPackage('pnpm', '11.28.13')).toBe('pnpm');
    if (process.platform === 'linux') expect(toolPackage('pnpm', '12.23.0')).toBe(`@pnpm/exe.linux-${process.arch}`);
    expect(toolPackage('node', '24.22.3')).toBe(`node-${process.platform}-${process.arch}`);
    expect(() => pnpmMajor('latest')).toThrow(/not an exact pnpm version/);
  });
});

describe('provisionToolchain', () => {
  const saved = process.env.DEVKIT_CACHE_DIR;
  let cache: string;
  beforeEach(() => {
    cache = tempDir('devkit-toolchain-cache-');
    process.env.DEVKIT_CACHE_DIR = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.DEVKIT_CACHE_DIR;
    else process.env.DEVKIT_CACHE_DIR = saved;
  });
  afterAll(() => cleanupTempDirs());

  // 9.999.999 is a version the registry does not have: any request for it fails
  it('uses a complete cached version without asking the registry', async () => {
    const dir = join(cache, 'toolchains/pnpm/9.999.999');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.devkit-toolchain.json'), '{}');
    await expect(provisionToolchain('pnpm', '9.999.999')).resolves.toBe(dir);
  });

  it('does not trust a version folder without its record', async () => {
    mkdirSync(join(cache, 'toolchains/pnpm/9.999.999'), { recursive: true });
    await expect(provisionToolchain('pnpm', '9.999.999')).rejects.toThrow(
      /pnpm@9\.999\.999: the npm registry answered 404/,
    );
  });
});
