import { BinaryReader } from './reader.js';

/** One architecture of a Mach-O file (a thin file has one slice, a fat file several). */
export interface MachOSlice {
  cpuType: number;
  cpuName: string;
  /** `MH_EXECUTE` 2, `MH_DYLIB` 6, `MH_BUNDLE` 8 (N-API addons are bundles or dylibs). */
  fileType: number;
  /** Minimum OS from `LC_BUILD_VERSION` or `LC_VERSION_MIN_MACOSX`, e.g. "11.0". */
  minOs: string | undefined;
  /** Which load command gave `minOs`. */
  minOsSource: 'LC_BUILD_VERSION' | 'LC_VERSION_MIN_MACOSX' | undefined;
  /** `LC_BUILD_VERSION` platform: 1 macOS, 2 iOS … */
  platform: number | undefined;
  dylibs: string[];
  /** The same libraries with the load command that names each (`LC_LOAD_DYLIB`, `LC_LOAD_WEAK_DYLIB` …). */
  loads: Array<{ command: MachODylibCommand; library: string }>;
  /** Whether the image defines libc++'s own `std::__1` symbols (`LC_SYMTAB`): a statically linked libc++. */
  definesLibcxx: boolean;
  /** `none`, or the kind of signature found at `LC_CODE_SIGNATURE`. */
  signature: 'none' | 'adhoc' | 'signed' | 'unreadable';
}

export interface MachOInfo {
  format: 'macho';
  fat: boolean;
  slices: MachOSlice[];
}

const CPU_NAMES: Record<number, string> = {
  7: 'i386',
  0x01000007: 'x86_64',
  12: 'arm',
  0x0100000c: 'arm64',
  0x0200000c: 'arm64_32',
  18: 'ppc',
  0x01000012: 'ppc64',
};

const LC_REQ_DYLD = 0x80000000;
const LC_LOAD_DYLIB = 0xc;
const LC_LOAD_WEAK_DYLIB = 0x18 | LC_REQ_DYLD;
const LC_REEXPORT_DYLIB = 0x1f | LC_REQ_DYLD;
const LC_LAZY_LOAD_DYLIB = 0x20;
const LC_LOAD_UPWARD_DYLIB = 0x23 | LC_REQ_DYLD;
const LC_CODE_SIGNATURE = 0x1d;
const LC_VERSION_MIN_MACOSX = 0x24;
const LC_BUILD_VERSION = 0x32;
const LC_SYMTAB = 0x2;
const DYLIB_COMMANDS = new Map([
  [LC_LOAD_DYLIB, 'LC_LOAD_DYLIB'],
  [LC_LOAD_WEAK_DYLIB, 'LC_LOAD_WEAK_DYLIB'],
  [LC_REEXPORT_DYLIB, 'LC_REEXPORT_DYLIB'],
  [LC_LAZY_LOAD_DYLIB, 'LC_LAZY_LOAD_DYLIB'],
  [LC_LOAD_UPWARD_DYLIB, 'LC_LOAD_UPWARD_DYLIB'],
] as const);
export type MachODylibCommand =
  'LC_LOAD_DYLIB' | 'LC_LOAD_WEAK_DYLIB' | 'LC_REEXPORT_DYLIB' | 'LC_LAZY_LOAD_DYLIB' | 'LC_LOAD_UPWARD_DYLIB';
/** `nlist` type bits: a debugging entry, and a symbol defined in a section of this image. */
const N_STAB = 0xe0;
const N_TYPE = 0x0e;
const N_SECT = 0x0e;
/** libc++'s inline namespace as Mach-O spells it (C names take a leading underscore). */
const LIBCXX_MANGLED = /^__ZNK?St3__1/;

const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CS_ADHOC = 0x2;

/** True for thin Mach-O magics (either byte order) and the fat magics. */
export function isMachO(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const be = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(0, false);
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(be)) return true;
  // 0xcafebabe is also a Java class file; a fat header has a small architecture count there.
  const count = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, false);
  return (be === 0xcafebabe || be === 0xcafebabf) && count > 0 && count < 32;
}

/** Parses a thin or fat Mach-O file. Throws a plain Error on malformed input. */
export function parseMachO(bytes: Uint8Array): MachOInfo {
  if (!isMachO(bytes)) throw new Error('not a Mach-O file (bad magic)');
  const be = new BinaryReader(bytes, false);
  const magic = be.u32(0);
  if (magic === 0xcafebabe || magic === 0xcafebabf) {
    const wide = magic === 0xcafebabf;
    const count = be.u32(4);
    const slices: MachOSlice[] = [];
    for (let i = 0; i < count; i++) {
      const at = 8 + i * (wide ? 32 : 20);
      const offset = wide ? be.u64(at + 8) : be.u32(at + 8);
      const size = wide ? be.u64(at + 16) : be.u32(at + 12);
      if (offset + size > bytes.length) throw new Error(`fat slice ${i} runs past the end of the file`);
      slices.push(parseThin(bytes.subarray(offset, offset + size)));
    }
    return { format: 'macho', fat: true, slices };
  }
  return { format: 'macho', fat: false, slices: [parseThin(bytes)] };
}

function formatVersion(v: number): string {
  const major = v >>> 16;
  const minor = (v >>> 8) & 0xff;
  const patch = v & 0xff;
  return patch === 0 ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
}

function parseThin(bytes: Uint8Array): MachOSlice {
  const magicLe = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const little = magicLe === 0xfeedface || magicLe === 0xfeedfacf;
  const r = new BinaryReader(bytes, little);
  const magic = r.u32(0);
  const is64 = magic === 0xfeedfacf;
  if (magic !== 0xfeedface && magic !== 0xfeedfacf) throw new Error('fat slice is not a Mach-O image');
  const cpuType = r.u32(4);
  const fileType = r.u32(12);
  const ncmds = r.u32(16);
  let at = is64 ? 32 : 28;
  const slice: MachOSlice = {
    cpuType,
    cpuName: CPU_NAMES[cpuType] ?? `cpu-${cpuType}`,
    fileType,
    minOs: undefined,
    minOsSource: undefined,
    platform: undefined,
    dylibs: [],
    loads: [],
    definesLibcxx: false,
    signature: 'none',
  };
  for (let i = 0; i < ncmds; i++) {
    const cmd = r.u32(at);
    const size = r.u32(at + 4);
    if (size < 8) throw new Error(`load command ${i} has size ${size}`);
    const dylibCommand = DYLIB_COMMANDS.get(cmd);
    if (dylibCommand !== undefined) {
      const library = r.cstring(at + r.u32(at + 8));
      slice.dylibs.push(library);
      slice.loads.push({ command: dylibCommand, library });
    } else if (cmd === LC_SYMTAB)
      slice.definesLibcxx = definesLibcxx(r, is64, r.u32(at + 8), r.u32(at + 12), r.u32(at + 16));
    else if (cmd === LC_BUILD_VERSION) {
      slice.platform = r.u32(at + 8);
      slice.minOs = formatVersion(r.u32(at + 12));
      slice.minOsSource = 'LC_BUILD_VERSION';
    } else if (cmd === LC_VERSION_MIN_MACOSX && slice.minOsSource === undefined) {
      slice.platform = 1;
      slice.minOs = formatVersion(r.u32(at + 8));
      slice.minOsSource = 'LC_VERSION_MIN_MACOSX';
    } else if (cmd === LC_CODE_SIGNATURE) {
      slice.signature = readSignature(bytes, r.u32(at + 8), r.u32(at + 12));
    }
    at += size;
  }
  return slice;
}

function definesLibcxx(r: BinaryReader, is64: boolean, symoff: number, nsyms: number, stroff: number): boolean {
  const size = is64 ? 16 : 12;
  for (let i = 0; i < nsyms; i++) {
    const at = symoff + i * size;
    const type = r.u8(at + 4);
    if (type & N_STAB || (type & N_TYPE) !== N_SECT) continue;
    if (LIBCXX_MANGLED.test(r.cstring(stroff + r.u32(at)))) return true;
  }
  return false;
}

/** Code signature blobs are big-endian whatever the image's byte order. */
function readSignature(bytes: Uint8Array, offset: number, size: number): MachOSlice['signature'] {
  try {
    const be = new BinaryReader(bytes.subarray(offset, offset + size), false);
    if (be.u32(0) !== CSMAGIC_EMBEDDED_SIGNATURE) return 'unreadable';
    const count = be.u32(8);
    for (let i = 0; i < count; i++) {
      const blobOffset = be.u32(12 + i * 8 + 4);
      if (be.u32(blobOffset) !== CSMAGIC_CODEDIRECTORY) continue;
      const flags = be.u32(blobOffset + 12);
      return flags & CS_ADHOC ? 'adhoc' : 'signed';
    }
    return 'unreadable';
  } catch {
    return 'unreadable';
  }
}
