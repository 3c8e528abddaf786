import { describe, expect, it } from 'vitest';
import { checkToolchain, collectRequirements } from './toolchain-check.js';

describe('checkToolchain', () => {
  const requirements = collectRequirements(
    { config: { toolchain: { node: '>=20.11', pnpm: '10.x' } } },
    { engines: { node: '>=18' } },
  );

  it('passes when every declared range is satisfied', () => {
    expect(checkToolchain({ node: '20.20.2', pnpm: '10.34.9', requirements, packageManager: 'pnpm@10.34.9' })).toEqual(
      [],
    );
  });

  it('names the version found, the range, where it was declared and how to get it', () => {
    const [problem] = checkToolchain({ node: '18.19.0', pnpm: '10.34.9', requirements, packageManager: undefined });
    expect(problem).toMatchObject({ code: 'E_TOOLCHAIN_NODE', exitCode: 3, kind: 'blocking' });
    expect(problem!.message).toBe('node 18.19.0 does not satisfy >=20.11 (required by devkit.json toolchain.node)');
    expect(problem!.fix).toContain('nvm install 20');
  });

  it('suggests the pinned packageManager version for a pnpm mismatch', () => {
    const [problem] = checkToolchain({
      node: '20.20.2',
      pnpm: '9.15.0',
      requirements,
      packageManager: 'pnpm@10.34.9+sha512.abc',
    });
    expect(problem!.message).toContain('pnpm 9.15.0 does not satisfy 10.x');
    expect(problem!.fix).toContain('pnpm@10.34.9');
  });

  it('reports a missing pnpm and an invalid range', () => {
    const problems = checkToolchain({
      node: '20.20.2',
      pnpm: undefined,
      requirements: [{ tool: 'node', range: 'twenty', source: 'package.json engines.node' }, ...requirements],
      packageManager: undefined,
    });
    expect(problems.map((p) => p.code)).toEqual(['E_TOOLCHAIN_RANGE', 'E_TOOLCHAIN_MISSING']);
  });
});
