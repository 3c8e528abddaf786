import type { ArchiveInfo, BinaryInfo } from './binary.js';
import type { ElfInfo } from './elf.js';
import type { MachOInfo } from './macho.js';
import type { TargetSpec } from './targets.js';

/** One reason a binary does not meet its target, naming what pulls it in. */
export interface PolicyViolation {
  rule: 'format' | 'machine' | 'library' | 'symbol-version' | 'isa' | 'macos-min' | 'signature' | 'platform';
  message: string;
  symbol?: string;
  library?: string;
  version?: string;
}

/** What a binary really needs, recorded with every output. */
export interface MeasuredFloor {
  glibc?: string;
  glibcxx?: string;
  cxxabi?: string;
  gcc?: string;
  isaLevel?: number;
  macos?: string;
}

export interface VerifyReport {
  ok: boolean;
  format: BinaryInfo['format'];
  violations: PolicyViolation[];
  floor: MeasuredFloor;
}

/**
 * Symbol-version sets, as glibc and GCC define them per architecture. A needed version must be a
 * member — the way auditwheel's manylinux policies work — so a version that never existed on the
 * architecture (GLIBC_2.2.5 on aarch64) or GLIBC_PRIVATE fails even though it "compares lower".
 */
const GLIBC_VERSIONS: Record<'x64' | 'arm64', string[]> = {
  x64: ['2.2.5', '2.2.6', '2.3', '2.3.2', '2.3.3', '2.3.4', ...range(4, 18), ...range(22, 42)],
  arm64: [...range(17, 18), ...range(22, 42)],
};
const GCC_VERSIONS = [
  '3.0',
  '3.3',
  '3.3.1',
  '3.3.4',
  '3.4',
  '3.4.2',
  '3.4.4',
  '3.5',
  '4.0.0',
  '4.1.0',
  '4.2.0',
  '4.3.0',
  '4.4.0',
  '4.5.0',
  '4.6.0',
  '4.7.0',
  '4.8.0',
  '7.0.0',
  '9.0.0',
  '11.0',
  '12.0.0',
  '13.0.0',
  '14.0.0',
];

/** The C++ runtime that ships with each supported glibc floor's distribution (the builder's GCC). */
const CXX_RUNTIME_BY_GLIBC: ReadonlyArray<{ glibc: string; glibcxx: number; cxxabi: number; gcc: string }> = [
  { glibc: '2.17', glibcxx: 19, cxxabi: 7, gcc: '4.8.0' }, // CentOS 7, GCC 4.8
  { glibc: '2.28', glibcxx: 25, cxxabi: 11, gcc: '7.0.0' }, // Debian 10 / RHEL 8, GCC 8
  { glibc: '2.31', glibcxx: 28, cxxabi: 12, gcc: '7.0.0' }, // Debian 11, GCC 10
  { glibc: '2.36', glibcxx: 30, cxxabi: 13, gcc: '12.0.0' }, // Debian 12, GCC 12
];

const ALLOWED_LIBRARIES: Record<'x64' | 'arm64', string[]> = {
  x64: [
    'libc.so.6',
    'libm.so.6',
    'libpthread.so.0',
    'libdl.so.2',
    'librt.so.1',
    'libgcc_s.so.1',
    'libstdc++.so.6',
    'ld-linux-x86-64.so.2',
  ],
  arm64: [
    'libc.so.6',
    'libm.so.6',
    'libpthread.so.0',
    'libdl.so.2',
    'librt.so.1',
    'libgcc_s.so.1',
    'libstdc++.so.6',
    'ld-linux-aarch64.so.1',
  ],
};

const ELF_MACHINE: Record<'x64' | 'arm64', number> = { x64: 62, arm64: 183 };
const MACHO_CPU: Record<'x64' | 'arm64', string> = { x64: 'x86_64', arm64: 'arm64' };
const MACOS_SYSTEM_PREFIXES = ['/usr/lib/', '/System/Library/'];

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `2.${from + i}`);
}

/** Compares dotted versions numerically ("2.9" < "2.10"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function maxVersion(versions: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const v of versions) if (best === undefined || compareVersions(v, best) > 0) best = v;
  return best;
}

/** The allowed symbol versions for a Linux target, as full names (`GLIBC_2.17`, `GLIBCXX_3.4.21` …). */
export function allowedSymbolVersions(arch: 'x64' | 'arm64', glibc: string): Set<string> {
  const allowed = new Set<string>();
  for (const v of GLIBC_VERSIONS[arch]) if (compareVersions(v, glibc) <= 0) allowed.add(`GLIBC_${v}`);
  const runtime =
    [...CXX_RUNTIME_BY_GLIBC].reverse().find((r) => compareVersions(r.glibc, glibc) <= 0) ?? CXX_RUNTIME_BY_GLIBC[0]!;
  allowed.add('GLIBCXX_3.4');
  for (let i = 1; i <= runtime.glibcxx; i++) allowed.add(`GLIBCXX_3.4.${i}`);
  allowed.add('CXXABI_1.3');
  for (let i = 1; i <= runtime.cxxabi; i++) allowed.add(`CXXABI_1.3.${i}`);
  allowed.add('CXXABI_TM_1');
  if (arch === 'x64') allowed.add('CXXABI_FLOAT128');
  for (const v of GCC_VERSIONS) if (compareVersions(v, runtime.gcc) <= 0) allowed.add(`GCC_${v}`);
  return allowed;
}

/** The highest version of each family an ELF file needs. */
export function measureElfFloor(info: ElfInfo): MeasuredFloor {
  const byFamily = new Map<string, string[]>();
  for (const need of info.versionNeeds) {
    for (const v of need.versions) {
      const m = /^(GLIBC|GLIBCXX|CXXABI|GCC)_(\d+(?:\.\d+)*)$/.exec(v);
      if (m) byFamily.set(m[1]!, [...(byFamily.get(m[1]!) ?? []), m[2]!]);
    }
  }
  const floor: MeasuredFloor = {};
  const set = (key: keyof Omit<MeasuredFloor, 'isaLevel'>, family: string) => {
    const v = maxVersion(byFamily.get(family) ?? []);
    if (v !== undefined) floor[key] = v;
  };
  set('glibc', 'GLIBC');
  set('glibcxx', 'GLIBCXX');
  set('cxxabi', 'CXXABI');
  set('gcc', 'GCC');
  if (info.x86IsaNeeded.length > 0) floor.isaLevel = Math.max(...info.x86IsaNeeded);
  return floor;
}

function verifyElf(info: ElfInfo, target: TargetSpec, where: string): PolicyViolation[] {
  const v: PolicyViolation[] = [];
  if (target.platform !== 'linux')
    return [{ rule: 'format', message: `${where}is an ELF file, but ${target.name} needs Mach-O` }];
  if (info.machine !== ELF_MACHINE[target.arch] || info.elfClass !== 64) {
    v.push({
      rule: 'machine',
      message: `${where}is ${info.elfClass}-bit ${info.machineName}, but ${target.name} needs 64-bit ${target.arch === 'x64' ? 'x86-64' : 'aarch64'}`,
    });
  }
  const allowedLibs = ALLOWED_LIBRARIES[target.arch];
  for (const lib of info.needed) {
    if (!allowedLibs.includes(lib))
      v.push({
        rule: 'library',
        library: lib,
        message: `${where}needs ${lib}, which is not in ${target.name}'s allowed libraries (${allowedLibs.join(', ')})`,
      });
  }
  if (target.glibc !== undefined) {
    const allowed = allowedSymbolVersions(target.arch, target.glibc);
    const attributed = new Set<string>();
    for (const s of info.versionedSymbols) {
      if (allowed.has(s.version)) continue;
      attributed.add(s.version);
      v.push({
        rule: 'symbol-version',
        symbol: s.symbol,
        library: s.library,
        version: s.version,
        message: `${where}symbol ${s.symbol} needs ${s.version} from ${s.library}, not available on ${target.name} (glibc ${target.glibc})`,
      });
    }
    // A version needed by no dynamic symbol (e.g. only by the file itself) still counts.
    for (const need of info.versionNeeds) {
      for (const version of need.versions) {
        if (allowed.has(version) || attributed.has(version)) continue;
        v.push({
          rule: 'symbol-version',
          library: need.file,
          version,
          message: `${where}needs ${version} from ${need.file}, not available on ${target.name} (glibc ${target.glibc})`,
        });
      }
    }
  }
  if (target.arch === 'x64' && info.x86IsaNeeded.length > 0) {
    const level = Math.max(...info.x86IsaNeeded);
    if (level > target.isaLevel)
      v.push({
        rule: 'isa',
        message: `${where}needs x86-64-v${level}, above ${target.name}'s x86-64${target.isaLevel > 1 ? `-v${target.isaLevel}` : ''} baseline`,
      });
  }
  return v;
}

function verifyMachO(info: MachOInfo, target: TargetSpec, where: string): PolicyViolation[] {
  if (target.platform !== 'darwin')
    return [{ rule: 'format', message: `${where}is a Mach-O file, but ${target.name} needs ELF` }];
  const v: PolicyViolation[] = [];
  const want = MACHO_CPU[target.arch];
  if (!info.slices.some((s) => s.cpuName === want)) {
    v.push({
      rule: 'machine',
      message: `${where}has no ${want} slice (found: ${info.slices.map((s) => s.cpuName).join(', ')})`,
    });
  }
  for (const slice of info.slices) {
    const tag = info.fat ? `${where}${slice.cpuName} slice: ` : where;
    if (slice.platform !== undefined && slice.platform !== 1)
      v.push({ rule: 'platform', message: `${tag}is built for platform ${slice.platform}, not macOS (1)` });
    if (slice.minOs === undefined)
      v.push({
        rule: 'macos-min',
        message: `${tag}records no minimum macOS (no LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX)`,
      });
    else if (target.macos !== undefined) {
      // arm64 Macs start at macOS 11: an arm64 slice of a universal binary cannot go lower.
      const floor = slice.cpuName === 'arm64' && compareVersions(target.macos, '11.0') < 0 ? '11.0' : target.macos;
      if (compareVersions(slice.minOs, floor) > 0) {
        v.push({
          rule: 'macos-min',
          version: slice.minOs,
          message: `${tag}needs macOS ${slice.minOs} (${slice.minOsSource}), newer than ${target.name}'s ${floor}`,
        });
      }
    }
    if (slice.cpuName === 'arm64' && slice.signature === 'none') {
      v.push({
        rule: 'signature',
        message: `${tag}arm64 code has no LC_CODE_SIGNATURE: macOS refuses to load unsigned arm64 code (link with ld64.lld, which signs ad hoc)`,
      });
    }
    for (const lib of slice.dylibs) {
      if (!MACOS_SYSTEM_PREFIXES.some((p) => lib.startsWith(p)))
        v.push({ rule: 'library', library: lib, message: `${tag}loads ${lib}, which is not a system library` });
    }
  }
  return v;
}

function measureMachOFloor(info: MachOInfo): MeasuredFloor {
  const macos = maxVersion(info.slices.flatMap((s) => (s.minOs === undefined ? [] : [s.minOs])));
  return macos === undefined ? {} : { macos };
}

function mergeFloors(floors: MeasuredFloor[]): MeasuredFloor {
  const out: MeasuredFloor = {};
  for (const f of floors) {
    for (const key of ['glibc', 'glibcxx', 'cxxabi', 'gcc', 'macos'] as const) {
      const value = f[key];
      if (value !== undefined && (out[key] === undefined || compareVersions(value, out[key]!) > 0)) out[key] = value;
    }
    if (f.isaLevel !== undefined) out.isaLevel = Math.max(out.isaLevel ?? 0, f.isaLevel);
  }
  return out;
}

function verifyArchive(info: ArchiveInfo, target: TargetSpec): { violations: PolicyViolation[]; floor: MeasuredFloor } {
  const violations: PolicyViolation[] = [];
  const floors: MeasuredFloor[] = [];
  for (const m of info.members) {
    const where = `member ${m.name}: `;
    if (m.info.format === 'elf') {
      violations.push(...verifyElf(m.info, target, where));
      floors.push(measureElfFloor(m.info));
    } else {
      violations.push(...verifyMachO(m.info, target, where).filter((x) => x.rule !== 'signature'));
      floors.push(measureMachOFloor(m.info));
    }
  }
  return { violations, floor: mergeFloors(floors) };
}

/** Checks one parsed binary against a target's policy. Pure: the caller reads and parses. */
export function verifyBinary(info: BinaryInfo, target: TargetSpec): VerifyReport {
  let violations: PolicyViolation[];
  let floor: MeasuredFloor;
  if (info.format === 'elf') {
    violations = verifyElf(info, target, '');
    floor = measureElfFloor(info);
  } else if (info.format === 'macho') {
    violations = verifyMachO(info, target, '');
    floor = measureMachOFloor(info);
  } else ({ violations, floor } = verifyArchive(info, target));
  return { ok: violations.length === 0, format: info.format, violations, floor };
}
