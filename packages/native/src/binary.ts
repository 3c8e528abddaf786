import { isElf, parseElf, type ElfInfo } from './elf.js';
import { isMachO, parseMachO, type MachOInfo } from './macho.js';

/** A static library: each member parsed on its own (objects carry no DT_NEEDED, only the machine). */
export interface ArchiveInfo {
  format: 'archive';
  members: Array<{ name: string; info: ElfInfo | MachOInfo }>;
}

export type BinaryInfo = ElfInfo | MachOInfo | ArchiveInfo;

/** Parses an ELF, Mach-O (thin or fat) or `ar` archive of either; throws for anything else. */
export function parseBinary(bytes: Uint8Array): BinaryInfo {
  if (isElf(bytes)) return parseElf(bytes);
  if (isMachO(bytes)) return parseMachO(bytes);
  if (Buffer.from(bytes.subarray(0, 8)).toString('latin1') === '!<arch>\n') return parseArchive(bytes);
  throw new Error('not an ELF, Mach-O or ar file');
}

function parseArchive(bytes: Uint8Array): ArchiveInfo {
  const text = (from: number, len: number) => Buffer.from(bytes.subarray(from, from + len)).toString('latin1');
  const members: ArchiveInfo['members'] = [];
  let longNames = '';
  let at = 8;
  while (at + 60 <= bytes.length) {
    let name = text(at, 16).trimEnd();
    const size = Number.parseInt(text(at + 48, 10).trim(), 10);
    if (!Number.isFinite(size) || text(at + 58, 2) !== '`\n') throw new Error(`bad ar member header at offset ${at}`);
    let data = bytes.subarray(at + 60, at + 60 + size);
    if (name === '//') longNames = Buffer.from(data).toString('latin1');
    else if (name.startsWith('#1/')) {
      // BSD: the name follows the header and counts in the size.
      const len = Number.parseInt(name.slice(3), 10);
      name = Buffer.from(data.subarray(0, len)).toString('latin1').replace(/\0+$/, '');
      data = data.subarray(len);
    } else if (/^\/\d+$/.test(name)) {
      const start = Number.parseInt(name.slice(1), 10);
      name = longNames.slice(start, longNames.indexOf('/\n', start));
    } else name = name.replace(/\/$/, '');
    if (name !== '/' && name !== '' && !name.startsWith('__.SYMDEF') && (isElf(data) || isMachO(data))) {
      members.push({ name, info: isElf(data) ? parseElf(data) : parseMachO(data) });
    }
    at += 60 + size + (size % 2);
  }
  return { format: 'archive', members };
}
