import { isDevkitError, type DevkitError } from '@devkit/core';
import { describe, expect, it } from 'vitest';
import { applyImageFloor, knownTargetNames, packageTargetNames, resolveTarget, TARGET_NAMES } from './targets.js';

function thrown(fn: () => unknown): DevkitError {
  try {
    fn();
  } catch (error) {
    if (isDevkitError(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

const zigFacts = { glibc: { min: '2.17', max: '2.34' }, macos: { min: '11.0' } };

describe('targets', () => {
  it('builds the six default targets on the zig builder, with zig triples at the default floors', () => {
    expect(TARGET_NAMES).toHaveLength(6);
    const triples = Object.fromEntries(TARGET_NAMES.map((n) => [n, resolveTarget(n, {}, 0)]));
    expect(Object.values(triples).every((t) => t.builder === 'zig' && t.cxxRuntime === 'libc++ (static)')).toBe(true);
    expect(Object.fromEntries(Object.entries(triples).map(([n, t]) => [n, t.env.DEVKIT_ZIG_TARGET]))).toEqual({
      'linux-x64-gnu': 'x86_64-linux-gnu.2.28',
      'linux-arm64-gnu': 'aarch64-linux-gnu.2.28',
      'linux-x64-musl': 'x86_64-linux-musl',
      'linux-arm64-musl': 'aarch64-linux-musl',
      'darwin-x64': 'x86_64-macos.11.0',
      'darwin-arm64': 'aarch64-macos.11.0',
    });
    const t = resolveTarget('linux-arm64-gnu', {}, 1234);
    expect(t).toMatchObject({ platform: 'linux', arch: 'arm64', libc: 'glibc', glibc: '2.28', macos: undefined });
    expect(t.env).toMatchObject({ CC: 'cc', CXX: 'c++', SOURCE_DATE_EPOCH: '1234', DEVKIT_TARGET: 'linux-arm64-gnu' });
    expect(t.env.CFLAGS).toContain('-ffile-prefix-map=/build/src=.');
    expect(resolveTarget('linux-x64-musl', {}, 0)).toMatchObject({ libc: 'musl', glibc: undefined });
    expect(resolveTarget('darwin-arm64', {}, 0)).toMatchObject({ macos: '11.0', libc: undefined });
  });

  it('takes a floor from the target, and a package floor over it; the key it came from is kept for messages', () => {
    const config = {
      native: {
        targets: { 'linux-x64-gnu': { glibc: '2.31' }, 'darwin-x64': { macos: '12.0' } },
        packages: { legacy: { build: 'make', outputs: ['x'], glibc: '2.17' } },
      },
    };
    const target = resolveTarget('linux-x64-gnu', config, 0);
    expect(target).toMatchObject({ glibc: '2.31', floorKeys: { glibc: 'native.targets.linux-x64-gnu.glibc' } });
    expect(target.env.DEVKIT_ZIG_TARGET).toBe('x86_64-linux-gnu.2.31');
    const legacy = resolveTarget('linux-x64-gnu', config, 0, 'legacy');
    expect(legacy).toMatchObject({ glibc: '2.17', floorKeys: { glibc: 'native.packages["legacy"].glibc' } });
    expect(legacy.env.DEVKIT_ZIG_TARGET).toBe('x86_64-linux-gnu.2.17');
    expect(resolveTarget('darwin-x64', config, 0, 'legacy').env.DEVKIT_ZIG_TARGET).toBe('x86_64-macos.12.0');
  });

  it('keeps the gcc and clang builders for a target that names them: their compilers, the image glibc as floor', () => {
    const t = resolveTarget(
      'linux-arm64-gnu',
      { native: { targets: { 'linux-arm64-gnu': { builder: 'bullseye' } } } },
      0,
    );
    expect(t).toMatchObject({ builder: 'bullseye', glibc: undefined, zigTarget: undefined, cxxRuntime: 'libstdc++' });
    expect(t.env.CC).toBe('aarch64-linux-gnu-gcc');
    applyImageFloor(t, { glibc: '2.31' });
    expect(t.glibc).toBe('2.31');
    const d = resolveTarget(
      'darwin-x64',
      { native: { targets: { 'darwin-x64': { macos: '11.0', builder: 'bookworm', env: { CFLAGS: '-O3' } } } } },
      0,
    );
    expect(d).toMatchObject({ macos: '11.0', builder: 'bookworm' });
    expect(d.env.CC).toContain('x86_64-apple-macos11.0');
    expect(d.env.CFLAGS).toBe('-O3');
  });

  it('refuses a floor the builder cannot meet with exit 2, naming the floor, its key and what the builder gives', () => {
    const low = thrown(() =>
      resolveTarget(
        'linux-x64-gnu',
        { native: { packages: { p: { build: 'make', outputs: ['x'], glibc: '2.12' } } } },
        0,
        'p',
      ),
    );
    expect(low.exitCode).toBe(2);
    expect(low.code).toBe('E_NATIVE_FLOOR_UNMET');
    expect(low.message).toBe(
      'linux-x64-gnu asks for glibc 2.12 (native.packages["p"].glibc in devkit.json), but builder zig gives glibc 2.17 and newer',
    );
    expect(low.hint).toBe('set native.packages["p"].glibc to "2.17" or newer');
    const mac = thrown(() =>
      resolveTarget('darwin-x64', { native: { targets: { 'darwin-x64': { macos: '10.15' } } } }, 0),
    );
    expect(mac.message).toMatch(/darwin-x64 asks for macOS 10\.15 .* but builder zig gives macOS 11\.0 and newer/);
    const high = resolveTarget('linux-x64-gnu', { native: { targets: { 'linux-x64-gnu': { glibc: '2.36' } } } }, 0);
    expect(thrown(() => applyImageFloor(high, { glibc: '2.31', zig: zigFacts })).message).toMatch(
      /asks for glibc 2\.36 .* but builder zig gives glibc 2\.17–2\.34/,
    );
    const gcc = resolveTarget(
      'linux-x64-gnu',
      { native: { targets: { 'linux-x64-gnu': { builder: 'bullseye', glibc: '2.28' } } } },
      0,
    );
    const below = thrown(() => applyImageFloor(gcc, { glibc: '2.31' }));
    expect(below.exitCode).toBe(2);
    expect(below.message).toMatch(/asks for glibc 2\.28 .* but builder bullseye gives glibc 2\.31/);
    // In range: nothing changes.
    const ok = resolveTarget('linux-x64-gnu', {}, 0);
    applyImageFloor(ok, { glibc: '2.31', zig: zigFacts });
    expect(ok.glibc).toBe('2.28');
  });

  it('rejects an unknown target with exit 2, the valid names and a did-you-mean', () => {
    const error = thrown(() => resolveTarget('linux-x64-gnux', {}, 0));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('unknown native target "linux-x64-gnux"; did you mean linux-x64-gnu?');
    expect(error.hint).toBe(
      'use one of: darwin-arm64, darwin-x64, linux-arm64-gnu, linux-arm64-musl, linux-x64-gnu, linux-x64-musl (or define it under native.targets in devkit.json)',
    );
    expect(thrown(() => resolveTarget('windows-x64', {}, 0)).message).toBe('unknown native target "windows-x64"');
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
