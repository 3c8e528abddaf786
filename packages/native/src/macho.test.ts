import { describe, expect, it } from 'vitest';
import { parseBinary } from './binary.js';
import { parseMachO } from './macho.js';
import { verifyBinary } from './policy.js';
import { resolveTarget } from './targets.js';

// No macOS here, and no Apple tool to act as an oracle: these tests write Mach-O files byte by
// byte, as the format describes them, so every field the parser reads is one the test chose.
// (The end-to-end tests verify real ld64.lld output.)
const CPU = { x86_64: 0x01000007, arm64: 0x0100000c };

interface ThinSpec {
  cpu: keyof typeof CPU;
  minOs?: [number, number];
  legacyMin?: [number, number];
  dylibs?: string[];
  signature?: 'adhoc' | 'signed';
}

function thin(spec: ThinSpec): Buffer {
  const cmds: Buffer[] = [];
  const version = ([a, b]: [number, number]) => (a << 16) | (b << 8);
  if (spec.minOs) {
    const c = Buffer.alloc(24);
    c.writeUInt32LE(0x32, 0);
    c.writeUInt32LE(24, 4);
    c.writeUInt32LE(1, 8);
    c.writeUInt32LE(version(spec.minOs), 12);
    c.writeUInt32LE(version([14, 0]), 16);
    cmds.push(c);
  }
  if (spec.legacyMin) {
    const c = Buffer.alloc(16);
    c.writeUInt32LE(0x24, 0);
    c.writeUInt32LE(16, 4);
    c.writeUInt32LE(version(spec.legacyMin), 8);
    cmds.push(c);
  }
  for (const lib of spec.dylibs ?? ['/usr/lib/libSystem.B.dylib']) {
    const size = Math.ceil((24 + lib.length + 1) / 8) * 8;
    const c = Buffer.alloc(size);
    c.writeUInt32LE(0xc, 0);
    c.writeUInt32LE(size, 4);
    c.writeUInt32LE(24, 8);
    c.write(lib, 24, 'latin1');
    cmds.push(c);
  }
  const sizeofcmds = cmds.reduce((n, c) => n + c.length, 0) + (spec.signature ? 16 : 0);
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0xfeedfacf, 0);
  header.writeUInt32LE(CPU[spec.cpu], 4);
  header.writeUInt32LE(8, 12); // MH_BUNDLE
  header.writeUInt32LE(cmds.length + (spec.signature ? 1 : 0), 16);
  header.writeUInt32LE(sizeofcmds, 20);
  if (!spec.signature) return Buffer.concat([header, ...cmds]);
  const sigOffset = 32 + sizeofcmds;
  const blob = Buffer.alloc(20 + 16);
  blob.writeUInt32BE(0xfade0cc0, 0);
  blob.writeUInt32BE(blob.length, 4);
  blob.writeUInt32BE(1, 8);
  blob.writeUInt32BE(0, 12);
  blob.writeUInt32BE(20, 16);
  blob.writeUInt32BE(0xfade0c02, 20);
  blob.writeUInt32BE(16, 24);
  blob.writeUInt32BE(0x20400, 28);
  blob.writeUInt32BE(spec.signature === 'adhoc' ? 0x2 : 0, 32);
  const sig = Buffer.alloc(16);
  sig.writeUInt32LE(0x1d, 0);
  sig.writeUInt32LE(16, 4);
  sig.writeUInt32LE(sigOffset, 8);
  sig.writeUInt32LE(blob.length, 12);
  return Buffer.concat([header, ...cmds, sig, blob]);
}

function fat(slices: Buffer[]): Buffer {
  const header = Buffer.alloc(8 + 20 * slices.length);
  header.writeUInt32BE(0xcafebabe, 0);
  header.writeUInt32BE(slices.length, 4);
  const parts: Buffer[] = [header];
  let offset = 4096;
  slices.forEach((s, i) => {
    const at = 8 + i * 20;
    header.writeUInt32BE(s.readUInt32LE(4), at);
    header.writeUInt32BE(offset, at + 8);
    header.writeUInt32BE(s.length, at + 12);
    header.writeUInt32BE(12, at + 16);
    const before = parts.reduce((n, p) => n + p.length, 0);
    parts.push(Buffer.alloc(offset - before), s);
    offset = Math.ceil((offset + s.length) / 4096) * 4096;
  });
  return Buffer.concat(parts);
}

const x64 = resolveTarget('darwin-x64', {}, 0);
const arm64 = resolveTarget('darwin-arm64', {}, 0);

describe('Mach-O parser', () => {
  it('reads CPU, minimum macOS, dylibs and an ad-hoc signature of a thin file', () => {
    const info = parseMachO(
      thin({
        cpu: 'arm64',
        minOs: [11, 0],
        signature: 'adhoc',
        dylibs: ['/usr/lib/libSystem.B.dylib', '/usr/lib/libc++.1.dylib'],
      }),
    );
    expect(info.fat).toBe(false);
    expect(info.slices).toEqual([
      {
        cpuType: CPU.arm64,
        cpuName: 'arm64',
        fileType: 8,
        minOs: '11.0',
        minOsSource: 'LC_BUILD_VERSION',
        platform: 1,
        dylibs: ['/usr/lib/libSystem.B.dylib', '/usr/lib/libc++.1.dylib'],
        loads: [
          { command: 'LC_LOAD_DYLIB', library: '/usr/lib/libSystem.B.dylib' },
          { command: 'LC_LOAD_DYLIB', library: '/usr/lib/libc++.1.dylib' },
        ],
        definesLibcxx: false,
        signature: 'adhoc',
      },
    ]);
  });

  it('reads every slice of a fat file, and LC_VERSION_MIN_MACOSX on older binaries', () => {
    const info = parseMachO(
      fat([thin({ cpu: 'x86_64', legacyMin: [10, 13] }), thin({ cpu: 'arm64', minOs: [11, 0], signature: 'signed' })]),
    );
    expect(info.fat).toBe(true);
    expect(info.slices.map((s) => [s.cpuName, s.minOs, s.minOsSource, s.signature])).toEqual([
      ['x86_64', '10.13', 'LC_VERSION_MIN_MACOSX', 'none'],
      ['arm64', '11.0', 'LC_BUILD_VERSION', 'signed'],
    ]);
  });

  it('rejects a truncated file instead of reading past its end', () => {
    const bytes = thin({ cpu: 'x86_64', minOs: [10, 15] });
    expect(() => parseMachO(bytes.subarray(0, 40))).toThrow(/truncated/);
  });
});

describe('Mach-O policy', () => {
  it('accepts a signed arm64 bundle at the target minimum', () => {
    const report = verifyBinary(parseBinary(thin({ cpu: 'arm64', minOs: [11, 0], signature: 'adhoc' })), arm64);
    expect(report).toMatchObject({ ok: true, floor: { macos: '11.0' } });
  });

  it('fails an unsigned arm64 slice: macOS refuses to load it', () => {
    const report = verifyBinary(parseBinary(thin({ cpu: 'arm64', minOs: [11, 0] })), arm64);
    expect(report.ok).toBe(false);
    expect(report.violations.map((v) => v.rule)).toEqual(['signature']);
    expect(report.violations[0]!.message).toMatch(/LC_CODE_SIGNATURE/);
  });

  it('fails a minimum macOS above the target, a missing architecture, and a non-system dylib', () => {
    const report = verifyBinary(
      parseBinary(
        thin({ cpu: 'arm64', minOs: [13, 0], signature: 'adhoc', dylibs: ['/opt/homebrew/lib/libz.1.dylib'] }),
      ),
      x64,
    );
    expect(report.violations.map((v) => v.rule).sort()).toEqual(['library', 'machine', 'macos-min']);
    expect(report.violations.find((v) => v.rule === 'library')!.library).toBe('/opt/homebrew/lib/libz.1.dylib');
    expect(report.violations.find((v) => v.rule === 'macos-min')!.message).toMatch(
      /needs macOS 13\.0.*darwin-x64's 11\.0/,
    );
  });

  it('allows only libSystem and libc++ from /usr/lib, naming the load command of anything else', () => {
    const report = verifyBinary(
      parseBinary(
        thin({
          cpu: 'arm64',
          minOs: [11, 0],
          signature: 'adhoc',
          dylibs: [
            '/usr/lib/libSystem.B.dylib',
            '/usr/lib/libc++.1.dylib',
            '/usr/lib/libz.1.dylib',
            '@rpath/libuv.1.dylib',
          ],
        }),
      ),
      arm64,
    );
    expect(report.violations.map((v) => [v.rule, v.loadCommand, v.library])).toEqual([
      ['library', 'LC_LOAD_DYLIB', '/usr/lib/libz.1.dylib'],
      ['library', 'LC_LOAD_DYLIB', '@rpath/libuv.1.dylib'],
    ]);
    expect(report.violations[1]!.message).toMatch(
      /^LC_LOAD_DYLIB @rpath\/libuv\.1\.dylib: a library found through the rpath/,
    );
    expect(report.floor).toEqual({ macos: '11.0', cxx: 'libc++ (system)' });
  });

  it('checks each slice of a fat binary: an x86_64 target still fails on an unsigned arm64 slice', () => {
    const report = verifyBinary(
      parseBinary(fat([thin({ cpu: 'x86_64', minOs: [10, 15] }), thin({ cpu: 'arm64', minOs: [11, 0] })])),
      x64,
    );
    expect(report.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^arm64 slice: arm64 code has no LC_CODE_SIGNATURE/),
    ]);
  });

  it('says which format a target needs when an ELF file is checked for macOS', () => {
    const elf = Buffer.alloc(64);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
    elf.writeUInt16LE(62, 18);
    expect(verifyBinary(parseBinary(elf), x64).violations[0]!.message).toMatch(/ELF file, but darwin-x64 needs Mach-O/);
  });
});
