import { describe, expect, it } from 'vitest';
import { buildKey, outputDestination, type PlannedBuild } from './build.js';
import { resolveTarget } from './targets.js';

function plan(target: string, files: Array<[string, string]> = [['a.c', 'aa']]): PlannedBuild {
  return {
    packageName: '@acme/fastdiff',
    packageDir: '/repo/packages/fastdiff',
    command: 'sh build.sh',
    outputs: ['out/*'],
    target: resolveTarget(target, {}, 315532800),
    files: files.map(([name, sha256]) => ({ name, source: `/repo/packages/fastdiff/${name}`, sha256 })),
    dependencies: [],
  };
}

describe('build planning', () => {
  it('puts addons where node-gyp-build looks and libraries under dist/native/<target>', () => {
    expect(outputDestination(plan('linux-x64-gnu'), 'fastdiff.node').path).toBe(
      '/repo/packages/fastdiff/prebuilds/linux-x64/fastdiff.napi.glibc.node',
    );
    expect(outputDestination(plan('darwin-arm64'), 'fastdiff.node').path).toBe(
      '/repo/packages/fastdiff/prebuilds/darwin-arm64/fastdiff.napi.node',
    );
    expect(outputDestination(plan('linux-arm64-gnu'), 'libfastdiff.so')).toEqual({
      path: '/repo/packages/fastdiff/dist/native/linux-arm64-gnu/libfastdiff.so',
      kind: 'library',
    });
  });

  it('keys a build by its inputs: a source, the image, the target or devkit changing gives another key', () => {
    const base = buildKey(plan('linux-x64-gnu'), 'sha256:1', '0.1.0');
    expect(buildKey(plan('linux-x64-gnu'), 'sha256:1', '0.1.0')).toBe(base);
    // The folder a checkout lives in is not an input: two clones share keys.
    expect(buildKey({ ...plan('linux-x64-gnu'), packageDir: '/elsewhere' }, 'sha256:1', '0.1.0')).toBe(base);
    expect(buildKey(plan('linux-x64-gnu', [['a.c', 'ab']]), 'sha256:1', '0.1.0')).not.toBe(base);
    expect(buildKey(plan('linux-x64-gnu'), 'sha256:2', '0.1.0')).not.toBe(base);
    expect(buildKey(plan('linux-arm64-gnu'), 'sha256:1', '0.1.0')).not.toBe(base);
    expect(buildKey(plan('linux-x64-gnu'), 'sha256:1', '0.2.0')).not.toBe(base);
    expect(buildKey({ ...plan('linux-x64-gnu'), command: 'make' }, 'sha256:1', '0.1.0')).not.toBe(base);
  });
});
