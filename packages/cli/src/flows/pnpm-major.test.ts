import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { choosePnpmMajor } from './pnpm-major.js';

afterAll(cleanupTempDirs);

/** A PATH with nothing on it but, optionally, a `pnpm` that prints the given version. */
function pathWithPnpm(version?: string): string {
  const bin = tempDir('devkit-pnpm-bin-');
  if (version !== undefined) {
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'pnpm'), `#!/bin/sh\necho ${version}\n`);
    chmodSync(join(bin, 'pnpm'), 0o755);
  }
  return bin;
}

describe('choosePnpmMajor', () => {
  it('follows the pnpm the repo pins and says where the pin is', async () => {
    const repo = tempDir();
    writeFiles(repo, { 'package.json': { name: 'r', packageManager: 'pnpm@11.28.13' } });
    expect(await choosePnpmMajor(repo, {}, { PATH: pathWithPnpm('10.34.9') })).toEqual({
      major: 11,
      source: 'package.json packageManager',
    });
    const devEngines = tempDir();
    writeFiles(devEngines, {
      'package.json': { name: 'r', devEngines: { packageManager: [{ name: 'pnpm', version: '12.23.0' }] } },
    });
    expect(await choosePnpmMajor(devEngines, {}, { PATH: pathWithPnpm() })).toMatchObject({ major: 12 });
    const config = tempDir();
    writeFiles(config, { 'package.json': { name: 'r' } });
    expect(await choosePnpmMajor(config, { toolchain: { pnpm: '9.15.9' } }, { PATH: pathWithPnpm() })).toMatchObject({
      major: 9,
    });
  });

  it('pins that disagree leave the choice to the pnpm on PATH, and say so', async () => {
    const repo = tempDir();
    writeFiles(repo, { 'package.json': { name: 'r', packageManager: 'pnpm@11.28.13' } });
    expect(await choosePnpmMajor(repo, { toolchain: { pnpm: '9.15.9' } }, { PATH: pathWithPnpm('10.34.9') })).toEqual({
      major: 10,
      source: "pnpm 10.34.9 on PATH, the repo's pnpm pins disagree (see devkit doctor)",
    });
  });

  it('unpinned, follows the pnpm on PATH; with none, says which rules it used', async () => {
    const repo = tempDir();
    writeFiles(repo, { 'package.json': { name: 'r' } });
    expect(await choosePnpmMajor(repo, {}, { PATH: pathWithPnpm('12.23.0') })).toEqual({
      major: 12,
      source: 'pnpm 12.23.0 on PATH, nothing pins pnpm',
    });
    expect(await choosePnpmMajor(repo, {}, { PATH: pathWithPnpm() })).toEqual({
      major: 10,
      source: "nothing pins pnpm and no pnpm is on PATH: devkit's default",
    });
  });
});
