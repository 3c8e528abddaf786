import { describe, expect, it } from 'vitest';
import { emptyIndex } from './store.js';
import { planGc } from './gc.js';
import { globToRegExp, matchesPatterns } from './glob.js';
import { diffInputs, type InputsRecord } from './inputs.js';

describe('planGc', () => {
  it('keeps tags, history targets and the newest builds, and referrers of what stays', () => {
    const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}` as const;
    const build = (n: number, created: string) => ({
      mediaType: 'm',
      digest: d(n),
      size: 1,
      annotations: {
        'dev.devkit.index.kind': 'build',
        'dev.devkit.artifact.name': 'api',
        'org.opencontainers.image.created': created,
      },
    });
    const index = emptyIndex();
    index.manifests.push(
      build(1, '2026-01-01'),
      build(2, '2026-01-02'),
      build(3, '2026-01-03'),
      build(4, '2026-01-04'),
    );
    index.manifests.push({
      mediaType: 'm',
      digest: d(5),
      size: 1,
      annotations: { 'dev.devkit.index.kind': 'referrer', 'dev.devkit.subject': d(1) },
    });
    index.manifests.push({
      mediaType: 'm',
      digest: d(6),
      size: 1,
      annotations: { 'dev.devkit.index.kind': 'referrer', 'dev.devkit.subject': d(2) },
    });
    const plan = planGc(index, { prune: true, keepBuilds: 1, roots: [d(1)] });
    expect(plan.dropEntries.map((e) => e.digest)).toEqual([d(2), d(3), d(6)]);
    expect(planGc(index, { prune: false, keepBuilds: 1, roots: [] }).dropEntries).toEqual([]);
  });
});

describe('globs and inputs diff', () => {
  it('matches turbo-style output patterns', () => {
    expect(globToRegExp('dist/**').test('dist/a/b.js')).toBe(true);
    expect(globToRegExp('dist').test('dist/x')).toBe(true);
    expect(globToRegExp('*.js').test('a/b.js')).toBe(false);
    expect(matchesPatterns('dist/cache/x', ['dist/**', '!dist/cache/**'])).toBe(false);
  });
  it('names what changed between two inputs records', () => {
    const base: InputsRecord = {
      files: { a: '1', b: '2' },
      lockfile: { 'ms@1': 'x' },
      config: 'c',
      toolchain: { node: 'v20' },
      devkitVersion: '0.1.0',
      env: { X: null },
    };
    const next: InputsRecord = {
      ...base,
      files: { a: '1', c: '3' },
      toolchain: { node: 'v22' },
      env: { X: 'sha256:1' },
    };
    expect(diffInputs(base, next)).toMatchObject({
      files: { added: ['c'], removed: ['b'], changed: [] },
      toolchain: [{ key: 'node', a: 'v20', b: 'v22' }],
      env: [{ name: 'X', a: null, b: 'sha256:1' }],
      same: false,
    });
    expect(diffInputs(base, base).same).toBe(true);
  });
});
