import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requirePrerequisite, hasBinary } from '@devkit/test-utils';
import { describe, expect, it } from 'vitest';
import { isElf, parseElf } from './elf.js';

const run = promisify(execFile);
const WANT = 300;

/** Real ELF files of this machine: executables and shared libraries, up to WANT of them. */
function corpus(): string[] {
  const files: string[] = [];
  for (const dir of [
    '/usr/bin',
    '/usr/sbin',
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib/gcc-cross',
  ]) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const st = statSync(path);
        if (!st.isFile() || st.size > 16 * 1024 * 1024 || st.size < 64) continue;
        const head = Buffer.alloc(16);
        const fd = openSync(path, 'r');
        readSync(fd, head, 0, 16, 0);
        closeSync(fd);
        if (isElf(head)) files.push(path);
      } catch {
        continue;
      }
    }
  }
  // Spread the sample over the whole corpus rather than taking the first names alphabetically.
  const step = Math.max(1, Math.floor(files.length / WANT));
  return files.filter((_, i) => i % step === 0).slice(0, WANT);
}

const MACHINE_NAMES: Record<string, string> = {
  'Advanced Micro Devices X86-64': 'x86-64',
  AArch64: 'aarch64',
  'Intel 80386': 'i386',
  ARM: 'arm',
};

interface OracleView {
  elfClass: number;
  machine: string;
  needed: string[];
  needs: string[];
  symbols: string[];
  isa: number[];
  interpreter: string | null;
}

async function readelf(path: string): Promise<OracleView> {
  const sh = async (flag: string) =>
    (await run('readelf', ['-W', flag, path], { maxBuffer: 256 * 1024 * 1024, env: { LC_ALL: 'C' } })).stdout;
  const [header, dynamic, versions, dynsyms, notes, segments] = await Promise.all([
    sh('-h'),
    sh('-d'),
    sh('-V'),
    sh('--dyn-syms'),
    sh('-n'),
    sh('-l'),
  ]);
  const elfClass = /Class:\s+ELF(\d+)/.exec(header)?.[1];
  const machine = /Machine:\s+(.+)/.exec(header)?.[1]?.trim() ?? '';
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1]!);
  const needs: string[] = [];
  const r = versions.indexOf("Version needs section '.gnu.version_r'");
  if (r >= 0) {
    let file = '';
    for (const line of versions.slice(r).split('\n').slice(1)) {
      if (/^\S/.test(line) || line.startsWith('Version ')) break;
      const f = /File: (\S+)/.exec(line);
      if (f) file = f[1]!;
      const n = /Name: (\S+)/.exec(line);
      if (n && !f) needs.push(`${file}:${n[1]}`);
    }
  }
  const symbols: string[] = [];
  for (const line of dynsyms.split('\n')) {
    const m = /\sUND\s+(\S+)@(\S+?)(?:\s+\(\d+\))?\s*$/.exec(line);
    if (m && !m[2]!.startsWith('@')) symbols.push(`${m[1]}@${m[2]}`);
  }
  const isaLine = /x86 ISA needed: (.+)/.exec(notes)?.[1] ?? '';
  const isa = isaLine
    .split(',')
    .map((s) => s.trim())
    .flatMap((s) => (s === 'x86-64-baseline' ? [1] : /^x86-64-v(\d)$/.test(s) ? [Number(s.slice(8))] : []));
  const interpreter = /\[Requesting program interpreter: (.+)\]/.exec(segments)?.[1] ?? null;
  return {
    elfClass: Number(elfClass),
    machine: MACHINE_NAMES[machine] ?? machine,
    needed,
    needs,
    symbols,
    isa,
    interpreter,
  };
}

function ours(path: string): OracleView {
  const info = parseElf(readFileSync(path));
  return {
    elfClass: info.elfClass,
    machine: info.machineName,
    needed: info.needed,
    needs: info.versionNeeds.flatMap((n) => n.versions.map((v) => `${n.file}:${v}`)),
    // readelf shows long names cut only without -W; symbol names are compared whole.
    symbols: info.versionedSymbols.map((s) => `${s.symbol}@${s.version}`),
    isa: info.x86IsaNeeded,
    interpreter: info.interpreter ?? null,
  };
}

const sorted = (v: OracleView) => ({
  ...v,
  needs: [...v.needs].sort(),
  symbols: [...v.symbols].sort(),
  isa: [...new Set(v.isa)].sort(),
});

describe('ELF parser against readelf (oracle)', () => {
  it(`agrees with readelf on class, machine, DT_NEEDED, version needs, versioned symbols, ISA level and interpreter of ${WANT} real binaries`, async () => {
    requirePrerequisite('readelf', hasBinary('readelf'), 'apt-get install binutils');
    const files = corpus();
    expect(files.length).toBeGreaterThanOrEqual(200);
    const disagreements: string[] = [];
    let agree = 0;
    let withVersions = 0;
    let withIsa = 0;
    let withInterpreter = 0;
    for (let i = 0; i < files.length; i += 8) {
      const batch = files.slice(i, i + 8);
      const views = await Promise.all(batch.map(async (f) => [f, await readelf(f), ours(f)] as const));
      for (const [file, oracle, mine] of views) {
        if (mine.needs.length > 0) withVersions++;
        if (mine.isa.length > 0) withIsa++;
        if (mine.interpreter !== null) withInterpreter++;
        const a = sorted(oracle);
        const b = sorted(mine);
        if (JSON.stringify(a) === JSON.stringify(b)) agree++;
        else
          disagreements.push(
            `${file}: readelf ${JSON.stringify(a).slice(0, 300)} vs ours ${JSON.stringify(b).slice(0, 300)}`,
          );
      }
    }
    process.stdout.write(
      `ELF oracle: ${agree}/${files.length} binaries agree with readelf (${withVersions} with version needs, ${withIsa} with an x86 ISA note, ${withInterpreter} with an interpreter)\n`,
    );
    expect(disagreements).toEqual([]);
    expect(withVersions).toBeGreaterThan(100);
    expect(withInterpreter).toBeGreaterThan(50);
  }, 180_000);
});
