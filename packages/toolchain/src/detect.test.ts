import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPnpm, pnpmVersion } from './detect.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package folder holding a `pnpm` that fails when run: the version must come from the manifest. */
function pnpmPackage(name: string, version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'devkit-detect-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version }));
  writeFileSync(join(dir, 'pnpm'), '#!/bin/sh\necho "run" >&2\nexit 9\n');
  chmodSync(join(dir, 'pnpm'), 0o755);
  return dir;
}

describe('pnpmVersion', () => {
  it.each([
    ['pnpm', '11.28.13'],
    ['@pnpm/exe.linux-x64', '12.23.0'],
  ])('reads the version of %s from its manifest without starting it', async (name, version) => {
    const env = { PATH: pnpmPackage(name, version) };
    await expect(pnpmVersion(findPnpm(env), tmpdir(), env)).resolves.toBe(version);
  });

  it('asks the binary when the manifest beside it is not pnpm’s', async () => {
    const env = { PATH: pnpmPackage('something-else', '1.0.0') };
    await expect(pnpmVersion(findPnpm(env), tmpdir(), env)).rejects.toThrow();
  });
});
