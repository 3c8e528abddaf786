import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { inferToolchain } from './toolchain.js';

afterAll(cleanupTempDirs);

async function infer(files: Record<string, string | object>, config = {}) {
  const root = tempDir();
  writeFiles(root, files);
  return inferToolchain(root, files['package.json'] as Record<string, unknown>, config);
}

describe('inferToolchain', () => {
  it('pins devkit already reads (packageManager, .nvmrc) are not repeated', async () => {
    const result = await infer({
      'package.json': { name: 'a', packageManager: 'pnpm@10.34.9' },
      '.nvmrc': '22.13.1\n',
    });
    expect(result.toolchain).toBeUndefined();
    expect(result.notes).toEqual([
      'node: pinned by .nvmrc (22.13.1), which devkit reads; not repeated in devkit.json',
      'pnpm: pinned by package.json packageManager (10.34.9), which devkit reads; not repeated in devkit.json',
    ]);
  });

  it("volta's and .tool-versions' pins, which devkit does not read, are carried over", async () => {
    const result = await infer({
      'package.json': { name: 'b', volta: { node: '22.11.0' } },
      '.tool-versions': 'nodejs 20.1.0\npnpm 9.15.0 # team pin\n',
    });
    expect(result.toolchain).toEqual({ node: '22.11.0', pnpm: '9.15.0' });
  });

  it('engines count as pinned; a devkit.json toolchain too', async () => {
    const result = await infer(
      { 'package.json': { name: 'c', engines: { node: '>=22' } } },
      { toolchain: { pnpm: '10.x' } },
    );
    expect(result.toolchain).toBeUndefined();
    expect(result.notes[1]).toContain('pinned by devkit.json toolchain.pnpm');
  });

  it('nothing pinned: notes with the command that pins each', async () => {
    const result = await infer({ 'package.json': { name: 'd' } });
    expect(result.toolchain).toBeUndefined();
    expect(result.notes[0]).toContain('node --version > .node-version');
    expect(result.notes[1]).toContain('pnpm pkg set packageManager=');
  });
});
