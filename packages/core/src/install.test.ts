import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleDigest, devkitInstall, devkitVersion, SHIPPED_FILES, shippedPath } from './install.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('devkitInstall in devkit’s own workspace', () => {
  it('is not the bundle; the devkit package is packages/devkit and gives the version', () => {
    const install = devkitInstall();
    expect(install.bundled).toBe(false);
    expect(install.packageDir).toBe(join(repoRoot, 'packages/devkit'));
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages/devkit/package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    expect(manifest.name).toBe('devkit');
    expect(devkitVersion()).toBe(manifest.version);
    expect(bundleDigest()).toBeUndefined();
  });

  it('finds every shipped file at its source in the repo', () => {
    expect(shippedPath('docker')).toBe(join(repoRoot, 'docker'));
    expect(existsSync(join(shippedPath('docker'), 'bullseye', 'Dockerfile'))).toBe(true);
    expect(shippedPath('schema.json')).toBe(join(repoRoot, 'packages/config/schema.json'));
    for (const source of Object.values(SHIPPED_FILES)) expect(existsSync(join(repoRoot, source))).toBe(true);
  });
});
