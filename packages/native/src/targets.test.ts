import { isDevkitError } from '@devkit/core';
import { describe, expect, it } from 'vitest';
import { knownTargetNames, packageTargetNames, resolveTarget } from './targets.js';

describe('targets', () => {
  it('has built-in defaults for the four targets', () => {
    const t = resolveTarget('linux-arm64-gnu', {}, 1234);
    expect(t).toMatchObject({ platform: 'linux', arch: 'arm64', libc: 'glibc', builder: 'bullseye', glibc: '2.31' });
    expect(t.env).toMatchObject({
      CC: 'aarch64-linux-gnu-gcc',
      SOURCE_DATE_EPOCH: '1234',
      DEVKIT_TARGET: 'linux-arm64-gnu',
    });
    expect(t.env.CFLAGS).toContain('-ffile-prefix-map=/build/src=.');
    const d = resolveTarget('darwin-arm64', {}, 0);
    expect(d).toMatchObject({ builder: 'bookworm', macos: '11.0' });
    expect(d.env.CC).toContain('--target=arm64-apple-macos11.0');
  });

  it('lets devkit.json override a floor, the builder and compiler settings', () => {
    const t = resolveTarget(
      'darwin-x64',
      { native: { targets: { 'darwin-x64': { macos: '11.0', builder: 'mine', env: { CFLAGS: '-O3' } } } } },
      0,
    );
    expect(t).toMatchObject({ macos: '11.0', builder: 'mine' });
    expect(t.env.CC).toContain('x86_64-apple-macos11.0');
    expect(t.env.CFLAGS).toBe('-O3');
  });

  it('rejects an unknown target with exit 2 and the valid names', () => {
    let error: unknown;
    try {
      resolveTarget('linux-x64-gnux', {}, 0);
    } catch (e) {
      error = e;
    }
    expect(isDevkitError(error) && error.exitCode).toBe(2);
    expect(isDevkitError(error) && error.hint).toBe(
      'use one of: darwin-arm64, darwin-x64, linux-arm64-gnu, linux-x64-gnu (or define it under native.targets in devkit.json)',
    );
  });

  it('builds a package for its own target list, else every known target', () => {
    const config = {
      native: {
        packages: {
          a: { build: 'make', outputs: ['x'], targets: ['linux-x64-gnu'] },
          b: { build: 'make', outputs: ['x'] },
        },
      },
    };
    expect(packageTargetNames(config, 'a')).toEqual(['linux-x64-gnu']);
    expect(packageTargetNames(config, 'b')).toEqual(knownTargetNames(config));
  });
});
