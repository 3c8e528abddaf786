import { describe, expect, it } from 'vitest';
import type { ElfInfo } from './elf.js';
import {
  allowedSymbolVersions,
  compareVersions,
  CXX_RUNTIME_BY_GLIBC,
  cxxRuntimeForGlibc,
  measureElfFloor,
  verifyBinary,
} from './policy.js';
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
    interpreter: undefined,
    definesLibcxx: false,
    ...overrides,
  };
}

const x64 = resolveTarget('linux-x64-gnu', {}, 0);
const arm64 = resolveTarget('linux-arm64-gnu', {}, 0);
const x64at = (glibc: string) =>
  resolveTarget('linux-x64-gnu', { native: { targets: { 'linux-x64-gnu': { glibc } } } }, 0);
const muslX64 = resolveTarget('linux-x64-musl', {}, 0);
const muslArm64 = resolveTarget('linux-arm64-musl', {}, 0);

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

describe('C++ runtime floors per glibc floor', () => {
  it('has GCC 8 at glibc 2.28 and GCC 4.8.5 at 2.17, and a floor between rows takes the lower row', () => {
    expect(CXX_RUNTIME_BY_GLIBC.find((r) => r.glibc === '2.28')).toMatchObject({
      gcc: '8',
      glibcxx: '3.4.25',
      cxxabi: '1.3.11',
    });
    expect(CXX_RUNTIME_BY_GLIBC.find((r) => r.glibc === '2.17')).toMatchObject({
      gcc: '4.8.5',
      glibcxx: '3.4.19',
      cxxabi: '1.3.7',
    });
    const at228 = allowedSymbolVersions('x64', '2.28');
    expect([at228.has('GLIBCXX_3.4.25'), at228.has('GLIBCXX_3.4.26')]).toEqual([true, false]);
    expect([at228.has('CXXABI_1.3.11'), at228.has('CXXABI_1.3.12')]).toEqual([true, false]);
    const at217 = allowedSymbolVersions('arm64', '2.17');
    expect([at217.has('GLIBCXX_3.4.19'), at217.has('GLIBCXX_3.4.20')]).toEqual([true, false]);
    expect([at217.has('CXXABI_1.3.7'), at217.has('CXXABI_1.3.8')]).toEqual([true, false]);
    expect([at217.has('GLIBC_2.17'), at217.has('GLIBC_2.18')]).toEqual([true, false]);
    expect(cxxRuntimeForGlibc('2.30').glibc).toBe('2.28');
  });

  it('names the libstdc++ symbol, its version and library, and what the floor ships', () => {
    const info = elf({
      needed: ['libstdc++.so.6', 'libc.so.6'],
      versionNeeds: [{ file: 'libstdc++.so.6', versions: ['GLIBCXX_3.4.21', 'GLIBCXX_3.4.26'] }],
      versionedSymbols: [
        {
          symbol: '_ZNSt10filesystem7__cxx114path14_M_split_cmptsEv',
          version: 'GLIBCXX_3.4.26',
          library: 'libstdc++.so.6',
        },
      ],
    });
    const report = verifyBinary(info, x64at('2.28'));
    expect(report.violations).toEqual([
      expect.objectContaining({
        rule: 'symbol-version',
        symbol: '_ZNSt10filesystem7__cxx114path14_M_split_cmptsEv',
        version: 'GLIBCXX_3.4.26',
        library: 'libstdc++.so.6',
      }),
    ]);
    expect(report.violations[0]!.message).toMatch(/GCC 8's runtime, up to GLIBCXX_3\.4\.25/);
    expect(report.floor).toMatchObject({ glibcxx: '3.4.26', cxx: 'libstdc++' });
  });
});

describe('C++ runtime recorded', () => {
  it('is libstdc++ when libstdc++.so.6 is needed, libc++ (static) when std::__1 is defined inside, else nothing', () => {
    expect(measureElfFloor(elf({ needed: ['libstdc++.so.6', 'libc.so.6'] })).cxx).toBe('libstdc++');
    expect(measureElfFloor(elf({ definesLibcxx: true })).cxx).toBe('libc++ (static)');
    expect(measureElfFloor(elf({ needed: ['libc++.so.1', 'libc.so.6'], definesLibcxx: true })).cxx).toBe(
      'libc++ (shared)',
    );
    // An object file defines the templates it instantiates: that says nothing about the runtime.
    expect(measureElfFloor(elf({ type: 1, needed: [], definesLibcxx: true })).cxx).toBeUndefined();
    expect(measureElfFloor(elf({})).cxx).toBeUndefined();
  });
});

describe('musl policy', () => {
  it("accepts musl's libc under either soname and nothing versioned", () => {
    expect(verifyBinary(elf({ needed: ['libc.so'] }), muslX64).ok).toBe(true);
    expect(verifyBinary(elf({ needed: ['libc.musl-x86_64.so.1'] }), muslX64).ok).toBe(true);
    expect(verifyBinary(elf({ needed: ['libc.musl-x86_64.so.1'] }), muslArm64).violations.map((v) => v.rule)).toEqual([
      'machine',
      'library',
    ]);
  });

  it('names each glibc library, versioned symbol and loader that pulls glibc in', () => {
    const report = verifyBinary(
      elf({
        type: 2,
        interpreter: '/lib64/ld-linux-x86-64.so.2',
        needed: ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so.6'],
        versionNeeds: [{ file: 'libc.so.6', versions: ['GLIBC_2.2.5', 'GLIBC_2.34'] }],
        versionedSymbols: [{ symbol: 'memcpy', version: 'GLIBC_2.2.5', library: 'libc.so.6' }],
      }),
      muslX64,
    );
    expect(report.violations.map((v) => [v.rule, v.library, v.symbol, v.version])).toEqual([
      ['library', 'libstdc++.so.6', undefined, undefined],
      ['library', 'libgcc_s.so.1', undefined, undefined],
      ['library', 'libc.so.6', undefined, undefined],
      ['interpreter', '/lib64/ld-linux-x86-64.so.2', undefined, undefined],
      ['symbol-version', 'libc.so.6', 'memcpy', 'GLIBC_2.2.5'],
      ['symbol-version', 'libc.so.6', undefined, 'GLIBC_2.34'],
    ]);
    expect(report.violations[0]!.message).toMatch(/libstdc\+\+\.so\.6, GCC's C\+\+ runtime, built against glibc/);
    expect(report.violations[2]!.message).toMatch(/libc\.so\.6, a glibc library, which musl systems do not have/);
  });

  it('fails a musl binary for a glibc target, saying it was built for musl', () => {
    const report = verifyBinary(elf({ needed: ['libc.so'], type: 2, interpreter: '/lib/ld-musl-x86_64.so.1' }), x64);
    expect(report.violations.map((v) => v.rule)).toEqual(['library', 'interpreter']);
    expect(report.violations[0]!.message).toMatch(/needs libc\.so, musl's libc: it was built for musl/);
  });
});
