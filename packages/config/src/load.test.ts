import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRoot, loadConfig } from './load.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'devkit-root-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('findRoot', () => {
  it('stops at the nearest devkit.json or pnpm-workspace.yaml, so a nested workspace is its own root', () => {
    writeFileSync(join(base, 'devkit.json'), '{}');
    mkdirSync(join(base, 'apps/api/src'), { recursive: true });
    mkdirSync(join(base, 'bench/large/apps/web'), { recursive: true });
    writeFileSync(join(base, 'bench/large/pnpm-workspace.yaml'), 'packages: [apps/*]\n');
    expect(findRoot(join(base, 'apps/api/src'))).toBe(base);
    expect(findRoot(join(base, 'bench/large/apps/web'))).toBe(join(base, 'bench/large'));
  });
});

describe('loadConfig', () => {
  it('re-validates when the file changes even though a validated copy is cached', async () => {
    const dir = join(base, 'cached');
    mkdirSync(dir);
    writeFileSync(join(dir, 'devkit.json'), '{ "toolchain": { "node": ">=20" } }');
    expect((await loadConfig(dir)).config.toolchain?.node).toBe('>=20');
    expect((await loadConfig(dir)).config.toolchain?.node).toBe('>=20');
    writeFileSync(join(dir, 'devkit.json'), '{ "toolchain": { "nod": ">=20" } }');
    await expect(loadConfig(dir)).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', exitCode: 2 });
  });

  it('gives the defaults without a devkit.json', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'devkit-noconfig-')));
    try {
      expect(await loadConfig(dir)).toMatchObject({ root: dir, found: false, config: {} });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
