import { describe, expect, it } from 'vitest';
import type { ElfInfo } from './elf.js';
import { allowedSymbolVersions, compareVersions, verifyBinary } from './policy.js';
import { resolveTarget } from './targets.js';

function elf(overrides: Partial<ElfInfo>): ElfInfo {
  return {
    format: 'elf',
    elfClass: 64,
    endian: 'little',
    type: 3,
    machine: 62,
    machineName: 'x86-64',
    needed: ['libc.so.6'],
    soname: undefined,
    versionNeeds: [],
    versionedSymbols: [],
    x86IsaNeeded: [],
    ...overrides,
  };
}

const x64 = resolveTarget('linux-x64-gnu', {}, 0);
const arm64 = resolveTarget('linux-arm64-gnu', {}, 0);

describe('glibc policy (set membership, as manylinux policies decide)', () => {
  it('allows versions that exist on the architecture up to the floor, and nothing else', () => {
    const x = allowedSymbolVersions('x64', '2.31');
    expect(x.has('GLIBC_2.2.5')).toBe(true);
    expect(x.has('GLIBC_2.30')).toBe(true);
    expect(x.has('GLIBC_2.32')).toBe(false);
    expect(x.has('GLIBC_PRIVATE')).toBe(false);
    expect(x.has('GLIBCXX_3.4.28')).toBe(true);
    expect(x.has('GLIBCXX_3.4.29')).toBe(false);
    expect(x.has('CXXABI_1.3.12')).toBe(true);
    expect(x.has('CXXABI_1.3.13')).toBe(false);
    const a = allowedSymbolVersions('arm64', '2.31');
    // 2.2.5 "compares lower" than 2.31 but never existed on aarch64: a max comparison would pass it.
    expect(a.has('GLIBC_2.2.5')).toBe(false);
    expect(a.has('GLIBC_2.17')).toBe(true);
  });

  it('names the symbol and the library that pull in a too-new version', () => {
    const info = elf({
      versionNeeds: [{ file: 'libc.so.6', versions: ['GLIBC_2.2.5', 'GLIBC_2.34'] }],
      versionedSymbols: [
        { symbol: 'memcpy', version: 'GLIBC_2.2.5', library: 'libc.so.6' },
        { symbol: '__libc_start_main', version: 'GLIBC_2.34', library: 'libc.so.6' },
      ],
    });
    const report = verifyBinary(info, x64);
    expect(report.ok).toBe(false);
    expect(report.violations).toEqual([
      expect.objectContaining({
        rule: 'symbol-version',
        symbol: '__libc_start_main',
        library: 'libc.so.6',
        version: 'GLIBC_2.34',
      }),
    ]);
    expect(report.floor.glibc).toBe('2.34');
  });

  it('never allows GLIBC_PRIVATE, and a version needed by no symbol still counts', () => {
    const info = elf({ versionNeeds: [{ file: 'ld-linux-x86-64.so.2', versions: ['GLIBC_PRIVATE'] }] });
    expect(verifyBinary(info, x64).violations).toEqual([
      expect.objectContaining({ rule: 'symbol-version', version: 'GLIBC_PRIVATE', library: 'ld-linux-x86-64.so.2' }),
    ]);
  });

  it('fails libraries outside the allowed set, the wrong machine and a too-high ISA level', () => {
    const report = verifyBinary(elf({ needed: ['libc.so.6', 'libssl.so.3'], x86IsaNeeded: [1, 3] }), x64);
    expect(report.violations.map((v) => v.rule).sort()).toEqual(['isa', 'library']);
    expect(verifyBinary(elf({}), arm64).violations.map((v) => v.rule)).toEqual(['machine']);
    expect(
      verifyBinary(
        elf({ x86IsaNeeded: [3] }),
        resolveTarget('linux-x64-gnu', { native: { targets: { 'linux-x64-gnu': { isa: 'x86-64-v3' } } } }, 0),
      ).ok,
    ).toBe(true);
  });

  it('compares dotted versions numerically', () => {
    expect(compareVersions('2.9', '2.10')).toBeLessThan(0);
    expect(compareVersions('2.2.5', '2.2')).toBeGreaterThan(0);
    expect(compareVersions('11.0', '11')).toBe(0);
  });
});
