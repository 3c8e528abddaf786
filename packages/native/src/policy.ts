import type { ArchiveInfo, BinaryInfo } from './binary.js';
import type { ElfInfo } from './elf.js';
import type { MachOInfo } from './macho.js';
import type { TargetCxxRuntime, TargetSpec } from './targets.js';
import { compareVersions } from './versions.js';

export { compareVersions };

/** One reason a binary does not meet its target, naming what pulls it in. */
export interface PolicyViolation {
  rule:
    | 'format'
    | 'machine'
    | 'library'
    | 'symbol-version'
    | 'interpreter'
    | 'isa'
    | 'macos-min'
    | 'signature'
    | 'platform';
  message: string;
  symbol?: string;
  library?: string;
  version?: string;
  /** The Mach-O load command that names `library` (`LC_LOAD_DYLIB` …). */
  loadCommand?: string;
}

/**
 * The C++ runtime a binary uses: libc++ linked in (zig's default, so the target needs none), the
 * Mac's own libc++, a shared libc++ a Linux system must provide, or the system's libstdc++ (whose
 * floor is `glibcxx` and `cxxabi` in the same record).
 */
export type CxxRuntime = TargetCxxRuntime | 'libc++ (shared)';

/** What a binary really needs, recorded with every output. */
export interface MeasuredFloor {
  glibc?: string;
  glibcxx?: string;
  cxxabi?: string;
  gcc?: string;
  isaLevel?: number;
  macos?: string;
  cxx?: CxxRuntime;
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

/**
 * The libstdc++ that ships with each supported glibc floor's distribution: a C++ binary that
 * loads the system's libstdc++.so.6 may need no newer GLIBCXX_/CXXABI_/GCC_ version than the
 * oldest distribution at that floor has. Values are the highest version nodes of each GCC's
 * libstdc++.so.6 and libgcc_s.so.1 (GCC's libstdc++ ABI policy, doc/xml/manual/abi.xml).
 */
export const CXX_RUNTIME_BY_GLIBC: ReadonlyArray<{
  glibc: string;
  distribution: string;
  gcc: string;
  glibcxx: string;
  cxxabi: string;
  libgcc: string;
}> = [
  { glibc: '2.17', distribution: 'CentOS 7', gcc: '4.8.5', glibcxx: '3.4.19', cxxabi: '1.3.7', libgcc: '4.8.0' },
  { glibc: '2.28', distribution: 'RHEL 8 / Debian 10', gcc: '8', glibcxx: '3.4.25', cxxabi: '1.3.11', libgcc: '7.0.0' },
  { glibc: '2.31', distribution: 'Debian 11', gcc: '10', glibcxx: '3.4.28', cxxabi: '1.3.12', libgcc: '7.0.0' },
  { glibc: '2.36', distribution: 'Debian 12', gcc: '12', glibcxx: '3.4.30', cxxabi: '1.3.13', libgcc: '12.0.0' },
];

/** The C++ runtime of the oldest distribution at a glibc floor (the first entry below 2.17). */
export function cxxRuntimeForGlibc(glibc: string): (typeof CXX_RUNTIME_BY_GLIBC)[number] {
  return (
    [...CXX_RUNTIME_BY_GLIBC].reverse().find((r) => compareVersions(r.glibc, glibc) <= 0) ?? CXX_RUNTIME_BY_GLIBC[0]!
  );
}

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

/** glibc's dynamic loader per architecture, the only `PT_INTERP` a glibc executable may ask for. */
const GLIBC_LOADERS: Record<'x64' | 'arm64', string[]> = {
  x64: ['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
  arm64: ['/lib/ld-linux-aarch64.so.1', '/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1'],
};

/**
 * musl's libc is its loader too: the soname is `libc.so` as musl builds it (and zig links), or
 * `libc.musl-<arch>.so.1` as Alpine names it; there is no libm, libpthread or libdl to need.
 */
const MUSL_ARCH: Record<'x64' | 'arm64', string> = { x64: 'x86_64', arm64: 'aarch64' };
function muslLibraries(arch: 'x64' | 'arm64'): string[] {
  return ['libc.so', `libc.musl-${MUSL_ARCH[arch]}.so.1`];
}
function muslLoader(arch: 'x64' | 'arm64'): string {
  return `/lib/ld-musl-${MUSL_ARCH[arch]}.so.1`;
}

/** What a glibc-only library is, to say what pulls glibc into a musl binary. */
function glibcLibraryRole(lib: string): string | undefined {
  if (lib === 'libstdc++.so.6') return "GCC's C++ runtime, built against glibc";
  if (lib === 'libgcc_s.so.1') return "GCC's unwinder library, built against glibc";
  if (/^ld-linux/.test(lib)) return "glibc's dynamic loader";
  if (/^lib(c|m|pthread|dl|rt|util|resolv)\.so\.\d+$/.test(lib)) return 'a glibc library';
  return undefined;
}

const ELF_MACHINE: Record<'x64' | 'arm64', number> = { x64: 62, arm64: 183 };
const MACHO_CPU: Record<'x64' | 'arm64', string> = { x64: 'x86_64', arm64: 'arm64' };
const ZIG_ARCH: Record<'x64' | 'arm64', string> = { x64: 'x86_64', arm64: 'aarch64' };
/** The only libraries a macOS output may load: every Mac has them, at these paths, since 10.x. */
const MACOS_SYSTEM_LIBRARIES = ['/usr/lib/libSystem.B.dylib', '/usr/lib/libc++.1.dylib'];
const MACOS_LIBCXX = '/usr/lib/libc++.1.dylib';
const MH_OBJECT = 1;
/** `LC_BUILD_VERSION` platforms (mach-o/loader.h). */
const MACHO_PLATFORMS: Record<number, string> = {
  1: 'macOS',
  2: 'iOS',
  3: 'tvOS',
  4: 'watchOS',
  5: 'bridgeOS',
  6: 'Mac Catalyst',
  7: 'iOS simulator',
  8: 'tvOS simulator',
  9: 'watchOS simulator',
  10: 'DriverKit',
  11: 'visionOS',
  12: 'visionOS simulator',
};

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `2.${from + i}`);
}

function lastPart(version: string): number {
  return Number(version.slice(version.lastIndexOf('.') + 1));
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
  const runtime = cxxRuntimeForGlibc(glibc);
  allowed.add('GLIBCXX_3.4');
  for (let i = 1; i <= lastPart(runtime.glibcxx); i++) allowed.add(`GLIBCXX_3.4.${i}`);
  allowed.add('CXXABI_1.3');
  for (let i = 1; i <= lastPart(runtime.cxxabi); i++) allowed.add(`CXXABI_1.3.${i}`);
  allowed.add('CXXABI_TM_1');
  if (arch === 'x64') allowed.add('CXXABI_FLOAT128');
  for (const v of GCC_VERSIONS) if (compareVersions(v, runtime.libgcc) <= 0) allowed.add(`GCC_${v}`);
  return allowed;
}

/** The C++ runtime an ELF file uses, from what it needs and what it defines. */
function elfCxxRuntime(info: ElfInfo): CxxRuntime | undefined {
  if (info.needed.includes('libstdc++.so.6')) return 'libstdc++';
  if (info.needed.some((lib) => /^libc\+\+\.so/.test(lib))) return 'libc++ (shared)';
  // A relocatable object defines the templates it instantiates; only a linked file says what it carries.
  if (info.definesLibcxx && info.type !== 1) return 'libc++ (static)';
  return undefined;
}

/** The highest version of each family an ELF file needs, and its C++ runtime. */
export function measureElfFloor(info: ElfInfo): MeasuredFloor {
  const byFamily = new Map<string, string[]>();
  for (const need of info.versionNeeds) {
    for (const v of need.versions) {
      const m = /^(GLIBC|GLIBCXX|CXXABI|GCC)_(\d+(?:\.\d+)*)$/.exec(v);
      if (m) byFamily.set(m[1]!, [...(byFamily.get(m[1]!) ?? []), m[2]!]);
    }
  }
  const floor: MeasuredFloor = {};
  const set = (key: 'glibc' | 'glibcxx' | 'cxxabi' | 'gcc', family: string) => {
    const v = maxVersion(byFamily.get(family) ?? []);
    if (v !== undefined) floor[key] = v;
  };
  set('glibc', 'GLIBC');
  set('glibcxx', 'GLIBCXX');
  set('cxxabi', 'CXXABI');
  set('gcc', 'GCC');
  if (info.x86IsaNeeded.length > 0) floor.isaLevel = Math.max(...info.x86IsaNeeded);
  const cxx = elfCxxRuntime(info);
  if (cxx !== undefined) floor.cxx = cxx;
  return floor;
}

/** Why a needed symbol version is not available at a glibc floor, and what to do about it. */
function glibcFloorReason(target: TargetSpec, glibc: string, version: string): string {
  const family = /^(GLIBCXX|CXXABI|GCC)_/.exec(version)?.[1];
  if (family === undefined) {
    return `not available on ${target.name} (glibc ${glibc}); build with the target's floor (zig cc -target ${ZIG_ARCH[target.arch]}-linux-gnu.${glibc}) or raise native.targets.${target.name}.glibc in devkit.json`;
  }
  const rt = cxxRuntimeForGlibc(glibc);
  const ceiling =
    family === 'GLIBCXX' ? `GLIBCXX_${rt.glibcxx}` : family === 'CXXABI' ? `CXXABI_${rt.cxxabi}` : `GCC_${rt.libgcc}`;
  return `not available on ${target.name} (glibc ${glibc}: ${rt.distribution} has GCC ${rt.gcc}'s runtime, up to ${ceiling}); link the C++ runtime statically (zig c++ links libc++ in) or raise native.targets.${target.name}.glibc in devkit.json`;
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
  if (target.libc === 'musl') v.push(...verifyMuslElf(info, target, where));
  else v.push(...verifyGlibcElf(info, target, where));
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

function verifyGlibcElf(info: ElfInfo, target: TargetSpec, where: string): PolicyViolation[] {
  const v: PolicyViolation[] = [];
  const allowedLibs = ALLOWED_LIBRARIES[target.arch];
  const musl = muslLibraries(target.arch);
  for (const lib of info.needed) {
    if (allowedLibs.includes(lib)) continue;
    v.push({
      rule: 'library',
      library: lib,
      message: musl.includes(lib)
        ? `${where}needs ${lib}, musl's libc: it was built for musl, not for ${target.name} (build it for linux-${target.arch}-musl, or with the glibc target's compiler)`
        : `${where}needs ${lib}, which is not in ${target.name}'s allowed libraries (${allowedLibs.join(', ')})`,
    });
  }
  if (info.interpreter !== undefined && !GLIBC_LOADERS[target.arch].includes(info.interpreter)) {
    v.push({
      rule: 'interpreter',
      library: info.interpreter,
      message: `${where}asks for the loader ${info.interpreter}, but ${target.name} has ${GLIBC_LOADERS[target.arch][0]}`,
    });
  }
  if (target.glibc !== undefined) {
    const glibc = target.glibc;
    const allowed = allowedSymbolVersions(target.arch, glibc);
    const attributed = new Set<string>();
    for (const s of info.versionedSymbols) {
      if (allowed.has(s.version)) continue;
      attributed.add(s.version);
      v.push({
        rule: 'symbol-version',
        symbol: s.symbol,
        library: s.library,
        version: s.version,
        message: `${where}symbol ${s.symbol} needs ${s.version} from ${s.library}, ${glibcFloorReason(target, glibc, s.version)}`,
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
          message: `${where}needs ${version} from ${need.file}, ${glibcFloorReason(target, glibc, version)}`,
        });
      }
    }
  }
  return v;
}

/** musl: its libc (and loader) only, and none of glibc's versioned symbols, libraries or loader. */
function verifyMuslElf(info: ElfInfo, target: TargetSpec, where: string): PolicyViolation[] {
  const v: PolicyViolation[] = [];
  const allowed = muslLibraries(target.arch);
  const fix = `build it for ${target.name} with musl's compiler (zig cc -target ${ZIG_ARCH[target.arch]}-linux-musl, or musl-gcc)`;
  for (const lib of info.needed) {
    if (allowed.includes(lib)) continue;
    const role = glibcLibraryRole(lib);
    v.push({
      rule: 'library',
      library: lib,
      message:
        role === undefined
          ? `${where}needs ${lib}, which is not in ${target.name}'s allowed libraries (${allowed.join(', ')})`
          : `${where}needs ${lib}, ${role}, which musl systems do not have: ${target.name} outputs may need only musl's libc (${allowed.join(' or ')}); ${fix}`,
    });
  }
  if (info.interpreter !== undefined && info.interpreter !== muslLoader(target.arch)) {
    v.push({
      rule: 'interpreter',
      library: info.interpreter,
      message: `${where}asks for the loader ${info.interpreter}, but ${target.name} has ${muslLoader(target.arch)}; ${fix}`,
    });
  }
  const attributed = new Set<string>();
  for (const s of info.versionedSymbols) {
    attributed.add(`${s.library}\0${s.version}`);
    v.push({
      rule: 'symbol-version',
      symbol: s.symbol,
      library: s.library,
      version: s.version,
      message: `${where}symbol ${s.symbol} needs ${s.version} from ${s.library}: a glibc symbol version, which musl does not provide`,
    });
  }
  for (const need of info.versionNeeds) {
    for (const version of need.versions) {
      if (attributed.has(`${need.file}\0${version}`)) continue;
      v.push({
        rule: 'symbol-version',
        library: need.file,
        version,
        message: `${where}needs ${version} from ${need.file}: a glibc symbol version, which musl does not provide`,
      });
    }
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
      message: info.fat
        ? `${where}has no ${want} slice (found: ${info.slices.map((s) => s.cpuName).join(', ')}), but ${target.name} needs ${want}`
        : `${where}is ${info.slices[0]?.cpuName ?? 'of no architecture'}, but ${target.name} needs ${want}`,
    });
  }
  for (const slice of info.slices) {
    const tag = info.fat ? `${where}${slice.cpuName} slice: ` : where;
    if (slice.platform !== undefined && slice.platform !== 1) {
      const name = MACHO_PLATFORMS[slice.platform] ?? `platform ${slice.platform}`;
      v.push({
        rule: 'platform',
        message: `${tag}is built for ${name} (LC_BUILD_VERSION platform ${slice.platform}), not macOS; build it with a macOS target (zig cc -target ${ZIG_ARCH[target.arch]}-macos.${target.macos ?? '11.0'})`,
      });
    }
    if (slice.minOs === undefined)
      v.push({
        rule: 'macos-min',
        message: `${tag}records no minimum macOS (no LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX)`,
      });
    else if (target.macos !== undefined) {
      // arm64 Macs start at macOS 11: an arm64 slice of a universal binary cannot go lower.
      const floor = slice.cpuName === 'arm64' && compareVersions(target.macos, '11.0') < 0 ? '11.0' : target.macos;
      if (compareVersions(slice.minOs, floor) > 0) {
        const arch = slice.cpuName === 'x86_64' ? 'x86_64' : 'aarch64';
        v.push({
          rule: 'macos-min',
          version: slice.minOs,
          message:
            `${tag}needs macOS ${slice.minOs} (${slice.minOsSource} minos), newer than ${target.name}'s ${floor}; ` +
            `lower it with the version in the target triple (zig cc -target ${arch}-macos.${floor}: zig ignores -mmacosx-version-min and defaults to 11.7), ` +
            `or with clang --target=${slice.cpuName}-apple-macos${floor}; or raise native.targets.${target.name}.macos in devkit.json`,
        });
      }
    }
    if (slice.cpuName === 'arm64' && slice.signature === 'none') {
      v.push({
        rule: 'signature',
        message: `${tag}arm64 code has no LC_CODE_SIGNATURE: macOS refuses to load unsigned arm64 code (link with zig or ld64.lld, which sign ad hoc, or run codesign --sign - on it)`,
      });
    }
    for (const { command, library } of slice.loads) {
      if (MACOS_SYSTEM_LIBRARIES.includes(library)) continue;
      v.push({
        rule: 'library',
        library,
        loadCommand: command,
        message: `${tag}${command} ${library}: ${macosLibraryReason(library)}; ${target.name} outputs may load only ${MACOS_SYSTEM_LIBRARIES.join(' and ')}, which every Mac has (link the library statically)`,
      });
    }
  }
  return v;
}

function macosLibraryReason(library: string): string {
  if (/^@(rpath|loader_path|executable_path)\//.test(library))
    return 'a library found through the rpath, which no Mac the addon is installed on has beside it';
  if (/^\/(usr\/local|opt\/homebrew|opt\/local)\//.test(library))
    return 'a Homebrew or MacPorts library, present only where it was installed';
  if (/^\/(usr\/lib|System\/Library)\//.test(library)) return 'a system library outside the allowed set';
  return 'not a system library';
}

function measureMachOFloor(info: MachOInfo): MeasuredFloor {
  const floor: MeasuredFloor = {};
  const macos = maxVersion(info.slices.flatMap((s) => (s.minOs === undefined ? [] : [s.minOs])));
  if (macos !== undefined) floor.macos = macos;
  if (info.slices.some((s) => s.dylibs.includes(MACOS_LIBCXX))) floor.cxx = 'libc++ (system)';
  else if (info.slices.some((s) => s.definesLibcxx && s.fileType !== MH_OBJECT)) floor.cxx = 'libc++ (static)';
  return floor;
}

function mergeFloors(floors: MeasuredFloor[]): MeasuredFloor {
  const out: MeasuredFloor = {};
  for (const f of floors) {
    for (const key of ['glibc', 'glibcxx', 'cxxabi', 'gcc', 'macos'] as const) {
      const value = f[key];
      if (value !== undefined && (out[key] === undefined || compareVersions(value, out[key]!) > 0)) out[key] = value;
    }
    if (f.isaLevel !== undefined) out.isaLevel = Math.max(out.isaLevel ?? 0, f.isaLevel);
    if (f.cxx !== undefined) out.cxx ??= f.cxx;
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
