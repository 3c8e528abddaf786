import { BinaryReader } from './reader.js';

/**
 * What verification needs from an ELF file, read straight from its bytes (no readelf):
 * the header, the dynamic section's `DT_NEEDED`s, the version needs (`.gnu.version_r`) with the
 * dynamic symbols that use each one, and the x86 ISA level from the GNU property note.
 */
export interface ElfInfo {
  format: 'elf';
  elfClass: 32 | 64;
  endian: 'little' | 'big';
  /** `e_type`: 1 relocatable, 2 executable, 3 shared object (or PIE). */
  type: number;
  machine: number;
  machineName: string;
  needed: string[];
  soname: string | undefined;
  /** One entry per `Verneed` record: the library and the versions needed from it. */
  versionNeeds: ElfVersionNeed[];
  /** Undefined dynamic symbols bound to a needed version, e.g. `memcpy@GLIBC_2.14` from libc.so.6. */
  versionedSymbols: ElfVersionedSymbol[];
  /** x86 ISA levels the file says it needs (1 = baseline, 2 = x86-64-v2 …); empty when not recorded. */
  x86IsaNeeded: number[];
  /** `PT_INTERP`: the dynamic loader an executable asks for (`/lib64/ld-linux-x86-64.so.2`); none for a .so. */
  interpreter: string | undefined;
  /**
   * Whether the file defines libc++'s own `std::__1` symbols (in `.dynsym`, or `.symtab` when not
   * stripped): with no libc++ among the needed libraries, that is a statically linked libc++.
   */
  definesLibcxx: boolean;
}

export interface ElfVersionNeed {
  file: string;
  versions: string[];
}

export interface ElfVersionedSymbol {
  symbol: string;
  version: string;
  library: string;
}

const MACHINES: Record<number, string> = {
  3: 'i386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390',
  40: 'arm',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch',
};

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const SHT_DYNAMIC = 6;
const SHT_NOTE = 7;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_SONAME = 14;
const NT_GNU_PROPERTY_TYPE_0 = 5;
const GNU_PROPERTY_X86_ISA_1_NEEDED = 0xc0008002;
const PT_INTERP = 3;
/** Itanium-mangled names in libc++'s inline namespace: `std::__1::…` (also const members, `_ZNK…`). */
const LIBCXX_MANGLED = /^_ZNK?St3__1/;

interface Section {
  name: string;
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

/** True when the bytes start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 16 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Parses an ELF file. Throws a plain Error on truncated or malformed input. */
export function parseElf(bytes: Uint8Array): ElfInfo {
  if (!isElf(bytes)) throw new Error('not an ELF file (bad magic)');
  const elfClass = bytes[4] === 2 ? 64 : bytes[4] === 1 ? 32 : 0;
  if (elfClass === 0) throw new Error(`unknown ELF class ${bytes[4]}`);
  const little = bytes[5] !== 2;
  const r = new BinaryReader(bytes, little);
  const is64 = elfClass === 64;
  const type = r.u16(16);
  const machine = r.u16(18);
  const shoff = is64 ? r.u64(40) : r.u32(32);
  const shentsize = r.u16(is64 ? 58 : 46);
  const shnum = r.u16(is64 ? 60 : 48);
  const shstrndx = r.u16(is64 ? 62 : 50);
  const phoff = is64 ? r.u64(32) : r.u32(28);
  const phentsize = r.u16(is64 ? 54 : 42);
  const phnum = r.u16(is64 ? 56 : 44);

  let interpreter: string | undefined;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (r.u32(at) !== PT_INTERP) continue;
    interpreter = r.cstring(is64 ? r.u64(at + 8) : r.u32(at + 4));
  }

  const raw: Omit<Section, 'name'>[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    nameOffsets.push(r.u32(at));
    raw.push({
      type: r.u32(at + 4),
      offset: is64 ? r.u64(at + 24) : r.u32(at + 16),
      size: is64 ? r.u64(at + 32) : r.u32(at + 20),
      link: r.u32(at + (is64 ? 40 : 24)),
      info: r.u32(at + (is64 ? 44 : 28)),
      entsize: is64 ? r.u64(at + 56) : r.u32(at + 36),
    });
  }
  const shstr = raw[shstrndx];
  const sections: Section[] = raw.map((s, i) => ({
    ...s,
    name: shstr ? r.cstring(shstr.offset + (nameOffsets[i] ?? 0)) : '',
  }));
  const strAt = (sectionIndex: number, offset: number): string => {
    const s = sections[sectionIndex];
    if (!s) throw new Error(`string table section ${sectionIndex} does not exist`);
    return r.cstring(s.offset + offset);
  };

  const needed: string[] = [];
  let soname: string | undefined;
  for (const s of sections) {
    if (s.type !== SHT_DYNAMIC) continue;
    const entSize = is64 ? 16 : 8;
    for (let at = s.offset; at + entSize <= s.offset + s.size; at += entSize) {
      const tag = is64 ? Number(BigInt.asIntN(64, r.u64big(at))) : r.u32(at);
      if (tag === DT_NULL) break;
      if (tag !== DT_NEEDED && tag !== DT_SONAME) continue;
      const val = is64 ? r.u64(at + 8) : r.u32(at + 4);
      if (tag === DT_NEEDED) needed.push(strAt(s.link, val));
      else if (tag === DT_SONAME) soname = strAt(s.link, val);
    }
  }

  // Version needs: index (vna_other) → version and library, for attributing symbols.
  const versionNeeds: ElfVersionNeed[] = [];
  const byIndex = new Map<number, { version: string; library: string }>();
  for (const s of sections) {
    if (s.type !== SHT_GNU_VERNEED) continue;
    let at = s.offset;
    for (let n = 0; n < s.info; n++) {
      const cnt = r.u16(at + 2);
      const file = strAt(s.link, r.u32(at + 4));
      const aux = r.u32(at + 8);
      const next = r.u32(at + 12);
      const need: ElfVersionNeed = { file, versions: [] };
      let auxAt = at + aux;
      for (let k = 0; k < cnt; k++) {
        const other = r.u16(auxAt + 6);
        const name = strAt(s.link, r.u32(auxAt + 8));
        need.versions.push(name);
        byIndex.set(other, { version: name, library: file });
        const auxNext = r.u32(auxAt + 12);
        if (auxNext === 0) break;
        auxAt += auxNext;
      }
      versionNeeds.push(need);
      if (next === 0) break;
      at += next;
    }
  }

  const versionedSymbols: ElfVersionedSymbol[] = [];
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  const versym = sections.find((s) => s.type === SHT_GNU_VERSYM);
  if (dynsym && versym && byIndex.size > 0) {
    const symSize = is64 ? 24 : 16;
    const count = Math.floor(dynsym.size / symSize);
    for (let i = 1; i < count; i++) {
      const at = dynsym.offset + i * symSize;
      const shndx = r.u16(at + (is64 ? 6 : 14));
      if (shndx !== 0) continue;
      const index = r.u16(versym.offset + i * 2) & 0x7fff;
      const need = byIndex.get(index);
      if (!need) continue;
      versionedSymbols.push({ symbol: strAt(dynsym.link, r.u32(at)), version: need.version, library: need.library });
    }
  }

  let definesLibcxx = false;
  for (const table of sections) {
    if ((table.type !== SHT_DYNSYM && table.type !== SHT_SYMTAB) || definesLibcxx) continue;
    const symSize = is64 ? 24 : 16;
    const count = Math.floor(table.size / symSize);
    for (let i = 1; i < count && !definesLibcxx; i++) {
      const at = table.offset + i * symSize;
      if (r.u16(at + (is64 ? 6 : 14)) === 0) continue;
      definesLibcxx = LIBCXX_MANGLED.test(strAt(table.link, r.u32(at)));
    }
  }

  const x86IsaNeeded: number[] = [];
  for (const s of sections) {
    if (s.type !== SHT_NOTE || s.name !== '.note.gnu.property') continue;
    readGnuProperties(r, s, is64, (prType, dataAt, dataSize) => {
      if (prType !== GNU_PROPERTY_X86_ISA_1_NEEDED || dataSize < 4) return;
      const bits = r.u32(dataAt);
      for (let level = 1; level <= 4; level++) if (bits & (1 << (level - 1))) x86IsaNeeded.push(level);
    });
  }

  return {
    format: 'elf',
    elfClass,
    endian: little ? 'little' : 'big',
    type,
    machine,
    machineName: MACHINES[machine] ?? `machine-${machine}`,
    needed,
    soname,
    versionNeeds,
    versionedSymbols,
    x86IsaNeeded,
    interpreter,
    definesLibcxx,
  };
}

function readGnuProperties(
  r: BinaryReader,
  s: Section,
  is64: boolean,
  visit: (type: number, dataAt: number, dataSize: number) => void,
): void {
  const align = is64 ? 8 : 4;
  const pad = (n: number, a: number) => (n + a - 1) & ~(a - 1);
  let at = s.offset;
  const end = s.offset + s.size;
  while (at + 12 <= end) {
    const namesz = r.u32(at);
    const descsz = r.u32(at + 4);
    const type = r.u32(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + pad(namesz, 4);
    if (type === NT_GNU_PROPERTY_TYPE_0 && r.cstring(nameAt) === 'GNU') {
      let p = descAt;
      while (p + 8 <= descAt + descsz) {
        const prType = r.u32(p);
        const prSize = r.u32(p + 4);
        visit(prType, p + 8, prSize);
        p += 8 + pad(prSize, align);
      }
    }
    at = descAt + pad(descsz, align);
  }
}
