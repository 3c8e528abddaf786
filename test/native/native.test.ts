import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  copyFixture,
  DEVKIT_BIN,
  hasBinary,
  requirePrerequisite,
  runDevkit,
  tempDir,
  waitFor,
} from '@devkit/test-utils';
import { digestTree, docker, leftoverContainers, requireDocker, runInImage } from './helpers.js';

// One file for the fixture's builds on the zig builder, so its image is made once (the first
// `native images` of a CI run debootstraps it) and the tests run one after another. The zig
// cache volume persists between runs: a cold one costs about a minute per target (libc++).

interface Output {
  path: string;
  kind: string;
  sha256: string;
  format: string;
  floor: Record<string, string | number>;
  violations: unknown[];
}
interface Build {
  package: string;
  target: string;
  cached: boolean;
  ok: boolean;
  image: string;
  outputs: Output[];
}
interface ImageRecord {
  builder: string;
  id: string;
  glibc: string;
  zig?: { version: string; glibc: { min: string; max: string }; musl: string; macos: { min: string } };
  built: { base: boolean; builder: boolean };
}

const SIX = ['darwin-arm64', 'darwin-x64', 'linux-arm64-gnu', 'linux-arm64-musl', 'linux-x64-gnu', 'linux-x64-musl'];
let zig: ImageRecord;
let repo: string;
let images: ImageRecord[];
let builds: Build[];

function setNative(dir: string, native: unknown): void {
  const file = join(dir, 'devkit.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify({ ...config, native }, null, 2)}\n`);
}

beforeAll(async () => {
  requireDocker();
  repo = copyFixture('acme');
  const made = await runDevkit(['native', 'images', '--builder', 'zig', '--json'], {
    cwd: repo,
    timeoutMs: 1_500_000,
  });
  expect(made.exitCode, made.stderr).toBe(0);
  images = (JSON.parse(made.stdout) as { images: ImageRecord[] }).images;
  zig = images[0]!;
  const built = await runDevkit(['native', 'build', '--json'], { cwd: repo, timeoutMs: 1_500_000 });
  expect(built.exitCode, built.stdout + built.stderr).toBe(0);
  builds = (JSON.parse(built.stdout) as { builds: Build[] }).builds;
}, 3_000_000);

afterAll(() => cleanupTempDirs());

describe('devkit native images', () => {
  it('makes the zig builder offline, records what it can target and pins it by ID; unchanged inputs are not rebuilt', async () => {
    expect(images.map((i) => i.builder)).toEqual(['zig']);
    expect(zig).toMatchObject({
      glibc: '2.31',
      zig: { version: '0.11.0', glibc: { min: '2.17', max: '2.34' }, musl: '1.2.4', macos: { min: '11.0' } },
    });
    // zig is at /opt/zig (zig + lib/ only) and the compiler wrappers are first on PATH.
    const probe = docker(
      'run',
      '--rm',
      '--network',
      'none',
      zig.id,
      'sh',
      '-c',
      'zig version; ls /opt/zig; for t in cc c++ ar ranlib; do command -v $t; done; echo $ZIG_GLOBAL_CACHE_DIR; test -e /usr/bin/gcc && echo has-gcc || echo no-gcc',
    );
    expect(probe.split('\n')).toEqual([
      '0.11.0',
      'lib',
      'zig',
      '/opt/devkit/bin/cc',
      '/opt/devkit/bin/c++',
      '/opt/devkit/bin/ar',
      '/opt/devkit/bin/ranlib',
      '/devkit/zig-cache',
      'no-gcc',
    ]);
    const again = await runDevkit(['native', 'images', '--builder', 'zig', '--json'], { cwd: repo });
    expect(again.exitCode).toBe(0);
    const second = (JSON.parse(again.stdout) as { images: ImageRecord[] }).images;
    expect(second.map((i) => [i.builder, i.id, i.built])).toEqual(
      images.map((i) => [i.builder, i.id, { base: false, builder: false }]),
    );
    const recorded = JSON.parse(readFileSync(join(repo, '.devkit/native/images.json'), 'utf8')) as Record<
      string,
      { id: string }
    >;
    expect(recorded.zig!.id).toBe(zig.id);
    // Builds ran on exactly those images.
    expect(new Set(builds.map((b) => b.image))).toEqual(new Set(images.map((i) => i.id)));
  });
});

describe('devkit native build on the fixture', () => {
  it('builds and verifies the addon, the library and the smoke test for the six targets, recording each floor', () => {
    expect(builds.map((b) => b.target)).toEqual(SIX);
    for (const b of builds) {
      expect(b.ok).toBe(true);
      expect(b.cached).toBe(false);
      for (const o of b.outputs) {
        expect(o.violations).toEqual([]);
        expect(existsSync(join(repo, o.path))).toBe(true);
      }
    }
    const paths = builds.flatMap((b) => b.outputs.map((o) => o.path)).sort();
    expect(paths).toEqual(
      [
        'packages/fastdiff/prebuilds/darwin-arm64/fastdiff.napi.node',
        'packages/fastdiff/dist/native/darwin-arm64/libfastdiff.dylib',
        'packages/fastdiff/prebuilds/darwin-x64/fastdiff.napi.node',
        'packages/fastdiff/dist/native/darwin-x64/libfastdiff.dylib',
        'packages/fastdiff/prebuilds/linux-arm64/fastdiff.napi.glibc.node',
        'packages/fastdiff/dist/native/linux-arm64-gnu/libfastdiff.so',
        'packages/fastdiff/dist/native/linux-arm64-gnu/fastdiff-smoke',
        'packages/fastdiff/prebuilds/linux-arm64/fastdiff.napi.musl.node',
        'packages/fastdiff/dist/native/linux-arm64-musl/libfastdiff.so',
        'packages/fastdiff/dist/native/linux-arm64-musl/fastdiff-smoke',
        'packages/fastdiff/prebuilds/linux-x64/fastdiff.napi.glibc.node',
        'packages/fastdiff/dist/native/linux-x64-gnu/libfastdiff.so',
        'packages/fastdiff/dist/native/linux-x64-gnu/fastdiff-smoke',
        'packages/fastdiff/prebuilds/linux-x64/fastdiff.napi.musl.node',
        'packages/fastdiff/dist/native/linux-x64-musl/libfastdiff.so',
        'packages/fastdiff/dist/native/linux-x64-musl/fastdiff-smoke',
      ].sort(),
    );
    const floor = (target: string, suffix: string) =>
      builds.find((b) => b.target === target)!.outputs.find((o) => o.path.endsWith(suffix))!.floor;
    // The C++ part brings libc++ in (static): no GLIBCXX_ version, no libstdc++ or libc++.dylib needed.
    expect(floor('linux-x64-gnu', '.node')).toEqual({ glibc: '2.16', cxx: 'libc++ (static)' });
    expect(floor('linux-arm64-gnu', '.node')).toEqual({ glibc: '2.17', cxx: 'libc++ (static)' });
    expect(floor('linux-x64-musl', '.node')).toMatchObject({ cxx: 'libc++ (static)' });
    expect(floor('darwin-x64', '.node')).toMatchObject({ macos: '11.0' });
    expect(floor('darwin-arm64', '.node')).toMatchObject({ macos: '11.0' });
    const manifest = JSON.parse(
      readFileSync(join(repo, 'packages/fastdiff/dist/native/darwin-arm64/manifest.json'), 'utf8'),
    ) as { floors: unknown; outputs: Array<{ path: string; floor: unknown }> };
    expect(manifest.floors).toEqual({
      libc: null,
      glibc: null,
      macos: '11.0',
      zigTarget: 'aarch64-macos.11.0',
      cxxRuntime: 'libc++ (static)',
    });
    expect(manifest.outputs).toContainEqual(
      expect.objectContaining({
        path: 'prebuilds/darwin-arm64/fastdiff.napi.node',
        floor: expect.objectContaining({ macos: '11.0' }),
      }),
    );
    const gnu = JSON.parse(
      readFileSync(join(repo, 'packages/fastdiff/dist/native/linux-arm64-gnu/manifest.json'), 'utf8'),
    ) as {
      floors: unknown;
    };
    expect(gnu.floors).toEqual({
      libc: 'glibc',
      glibc: '2.28',
      macos: null,
      zigTarget: 'aarch64-linux-gnu.2.28',
      cxxRuntime: 'libc++ (static)',
    });
    // Every build container had the image's zig cache volume mounted; it carries the agreed labels.
    const volume = JSON.parse(docker('volume', 'inspect', `devkit-zig-cache-${zig.id.slice(7, 19)}`)) as Array<{
      Labels: Record<string, string>;
    }>;
    expect(volume[0]!.Labels).toEqual({ 'devkit.native': 'zig-cache', 'devkit.image': zig.id });
    expect(leftoverContainers()).toEqual([]);
  });

  it('produces Mach-O with LC_BUILD_VERSION and an ad-hoc signed arm64 addon (checked by devkit native verify)', async () => {
    const arm = await runDevkit(
      [
        'native',
        'verify',
        'packages/fastdiff/prebuilds/darwin-arm64/fastdiff.napi.node',
        '--target',
        'darwin-arm64',
        '--json',
      ],
      { cwd: repo },
    );
    expect(arm.exitCode).toBe(0);
    const report = JSON.parse(arm.stdout) as { format: string; floor: unknown };
    expect(report).toMatchObject({ format: 'macho', floor: { macos: '11.0' } });
    // The same addon is not an x86-64 one: verify says so.
    const wrong = await runDevkit(
      ['native', 'verify', 'packages/fastdiff/prebuilds/darwin-arm64/fastdiff.napi.node', '--target', 'darwin-x64'],
      { cwd: repo },
    );
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stdout).toMatch(/is arm64, but darwin-x64 needs x86_64/);
  });

  it('loads the linux-x64 prebuild with the host Node and calls its C (libm, stdio) and C++ parts', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        "const f = require('./packages/fastdiff'); console.log(f.version(), f.distance(Buffer.from('kitten'), Buffer.from('sitting')), f.commonPrefix(Buffer.from('abcx'), Buffer.from('abcy')), f.equal(Buffer.from('a'), Buffer.from('a')), f.similarity(Buffer.from('kitten'), Buffer.from('sitting')), f.sortWords('pear apple fig apple'))",
      ],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('1.0.0 3 3 true 0.5714 apple fig pear');
  });

  it('runs the linux-x64 addon with the Node of the builder image (Debian 11, glibc 2.31)', () => {
    const addon = join(repo, 'packages/fastdiff/prebuilds/linux-x64/fastdiff.napi.glibc.node');
    const out = runInImage(zig.id, { [addon]: '/consumer/fastdiff.node' }, [
      'node',
      '-e',
      "const f = require('/consumer/fastdiff.node'); console.log(require('child_process').execSync('getconf GNU_LIBC_VERSION').toString().trim(), f.distance(Buffer.from('flaw'), Buffer.from('lawn')), f.sortWords('b a'))",
    ]);
    expect(out).toBe(`glibc ${zig.glibc} 2 a b`);
  });

  it('runs the arm64 gnu smoke test under qemu-aarch64 against an arm64 glibc, and the static x64 musl one', () => {
    requirePrerequisite(
      'qemu-aarch64',
      hasBinary('qemu-aarch64'),
      'apt-get install qemu-user (tools/system/30-docker.sh does)',
    );
    const sysroot = '/usr/aarch64-linux-gnu';
    requirePrerequisite(
      "Debian's arm64 glibc",
      existsSync(join(sysroot, 'lib/ld-linux-aarch64.so.1')),
      'apt-get install libc6-arm64-cross (tools/system/35-native-smoke.sh does)',
    );
    const expected = 'fastdiff 1.0.0 distance=3 prefix=0 equal=1 similarity=0.5714';
    // qemu looks for the loader and libc under -L: <sysroot>/lib/ld-linux-aarch64.so.1.
    const arm = join(repo, 'packages/fastdiff/dist/native/linux-arm64-gnu/fastdiff-smoke');
    expect(execFileSync('qemu-aarch64', ['-L', sysroot, arm], { encoding: 'utf8' }).trim()).toBe(expected);
    // zig links musl executables statically: it runs on this glibc host as it would on Alpine.
    const musl = join(repo, 'packages/fastdiff/dist/native/linux-x64-musl/fastdiff-smoke');
    expect(execFileSync(musl, { encoding: 'utf8' }).trim()).toBe(expected);
  });

  it('serves unchanged inputs from the cache without any engine, in under a second', async () => {
    const before = digestTree(join(repo, 'packages/fastdiff/prebuilds'));
    // No engine at this address: a cache hit must not need one.
    const started = performance.now();
    const again = await runDevkit(['native', 'build', '--json'], {
      cwd: repo,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    const ms = performance.now() - started;
    expect(again.exitCode, again.stderr).toBe(0);
    const second = (JSON.parse(again.stdout) as { builds: Build[] }).builds;
    expect(second.map((b) => [b.target, b.cached])).toEqual(SIX.map((t) => [t, true]));
    expect(digestTree(join(repo, 'packages/fastdiff/prebuilds'))).toEqual(before);
    expect(ms).toBeLessThan(5000);
  });

  it('is reproducible: a copy in another folder builds byte-identical outputs', async () => {
    const other = copyFixture('acme');
    const built = await runDevkit(['native', 'build', '--json'], { cwd: other, timeoutMs: 600_000 });
    expect(built.exitCode, built.stderr).toBe(0);
    const second = (JSON.parse(built.stdout) as { builds: Build[] }).builds;
    expect(second.every((b) => !b.cached)).toBe(true);
    for (const sub of ['prebuilds', 'dist/native']) {
      const a = digestTree(join(repo, 'packages/fastdiff', sub));
      const b = digestTree(join(other, 'packages/fastdiff', sub));
      expect(Object.keys(a).length).toBeGreaterThan(3);
      expect(b).toEqual(a);
    }
  });
});

describe('the zig cache volume', () => {
  it('gives the same bytes cold as warm: two targets built again on an empty cache volume come out identical', async () => {
    // A volume of its own (DEVKIT_ZIG_CACHE_VOLUME), so the image's shared one stays warm for other runs.
    const volume = `devkit-zig-cache-cold-${process.pid}-${Date.now()}`;
    const other = copyFixture('acme');
    const targets = ['darwin-arm64', 'linux-x64-gnu'];
    try {
      const run = await runDevkit(['native', 'build', '--target', targets.join(','), '--json'], {
        cwd: other,
        env: { DEVKIT_ZIG_CACHE_VOLUME: volume },
        timeoutMs: 1_200_000,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      const cold = (JSON.parse(run.stdout) as { builds: Build[] }).builds;
      expect(cold.map((b) => [b.target, b.cached])).toEqual(targets.map((t) => [t, false]));
      const digests = (list: Build[]) =>
        Object.fromEntries(
          list.filter((b) => targets.includes(b.target)).flatMap((b) => b.outputs.map((o) => [o.path, o.sha256])),
        );
      expect(Object.keys(digests(cold))).toHaveLength(5);
      expect(digests(cold)).toEqual(digests(builds));
      // The build really used (and filled) the volume it was given, labelled for `native gc`.
      const inspected = JSON.parse(docker('volume', 'inspect', volume)) as Array<{ Labels: Record<string, string> }>;
      expect(inspected[0]!.Labels).toEqual({ 'devkit.native': 'zig-cache', 'devkit.image': zig.id });
    } finally {
      spawnSync('docker', ['volume', 'rm', '-f', volume], { stdio: 'ignore' });
    }
  }, 2_400_000);
});

describe('builder images that went away', () => {
  it('finds the builder again by its inputs when the recorded image no longer exists', async () => {
    const dir = copyFixture('acme');
    const recordsFile = join(dir, '.devkit/native/images.json');
    const images = await runDevkit(['native', 'images', '--builder', 'zig'], { cwd: dir });
    expect(images.exitCode).toBe(0);
    const records = JSON.parse(readFileSync(recordsFile, 'utf8')) as Record<string, { id: string }>;
    const real = records.zig!.id;
    records.zig!.id = `sha256:${'0'.repeat(64)}`;
    writeFileSync(recordsFile, JSON.stringify(records));
    const run = await runDevkit(['native', 'build', '--target', 'linux-x64-gnu', '--json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { builds: Build[] }).builds.map((b) => b.image)).toEqual([real]);
    expect((JSON.parse(readFileSync(recordsFile, 'utf8')) as Record<string, { id: string }>).zig!.id).toBe(real);
  });
});

describe('a real published N-API addon built from source', () => {
  it('builds bufferutil (npm pack at test time) for linux-x64-gnu and loads it with the host Node', async () => {
    const dir = tempDir('devkit-npm-addon-');
    const packed = execFileSync('npm', ['pack', 'bufferutil@4.1.0', '--silent'], { cwd: dir, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('tar', ['-xzf', packed], { cwd: dir });
    writeFileSync(join(dir, 'package.json'), '{ "name": "addon-host", "private": true }\n');
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'packages:\n  - package\n');
    // Its shipped prebuilds are removed so that only the one devkit builds can load.
    execFileSync('rm', ['-rf', join(dir, 'package/prebuilds')]);
    writeFileSync(join(dir, 'devkit.json'), '{}\n');
    setNative(dir, {
      packages: {
        bufferutil: { build: 'node-gyp rebuild', outputs: ['build/Release/*.node'], targets: ['linux-x64-gnu'] },
      },
    });
    const built = await runDevkit(['native', 'build', '--json'], { cwd: dir, timeoutMs: 600_000 });
    expect(built.exitCode, built.stdout + built.stderr).toBe(0);
    const [build] = (JSON.parse(built.stdout) as { builds: Build[] }).builds;
    expect(build!.outputs.map((o) => o.path)).toEqual(['package/prebuilds/linux-x64/bufferutil.napi.glibc.node']);
    const script = `
      const b = require('./package/prebuilds/linux-x64/bufferutil.napi.glibc.node');
      const data = Buffer.from('hello, devkit'), mask = Buffer.from([1, 2, 3, 4]), out = Buffer.alloc(data.length);
      b.mask(data, mask, out, 0, data.length);
      b.unmask(out, mask);
      console.log(out.toString(), typeof b.mask);`;
    expect(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' }).trim()).toBe(
      'hello, devkit function',
    );
  });
});

describe('errors', () => {
  it('a failing build command: exit 1 with the target and the last lines of its log; no container left', async () => {
    const dir = copyFixture('acme');
    setNative(dir, {
      packages: {
        '@acme/fastdiff': {
          build: 'echo compiling fastdiff; echo "fatal: something is broken" >&2; exit 7',
          outputs: ['out/*'],
          targets: ['linux-x64-gnu'],
        },
      },
    });
    const run = await runDevkit(['native', 'build'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/E_NATIVE_BUILD_FAILED.*linux-x64-gnu.*exited with code 7/);
    // The log tail holds both streams (their relative order is the engine's to choose).
    const tail = run.stderr.slice(run.stderr.indexOf('last lines of its log:'));
    expect(tail).toMatch(/^compiling fastdiff$/m);
    expect(tail).toMatch(/^fatal: something is broken$/m);
    expect(leftoverContainers()).toEqual([]);
  });

  it('an output that fails verification: exit 1 naming the library; nothing installed or cached', async () => {
    const dir = copyFixture('acme');
    // forkpty lives in libutil, which no target allows: the output needs libutil.so.1.
    const build =
      "mkdir -p out && printf 'int forkpty(int *, char *, void *, void *);\\nint f(void) { return forkpty(0, 0, 0, 0); }\\n' > x.c && $CC -shared -fPIC -o out/x.so x.c -lutil";
    setNative(dir, { packages: { '@acme/fastdiff': { build, outputs: ['out/*.so'], targets: ['linux-x64-gnu'] } } });
    const run = await runDevkit(['native', 'build'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/✗ @acme\/fastdiff linux-x64-gnu/);
    expect(run.stdout).toMatch(/needs libutil\.so\.1, which is not in linux-x64-gnu's allowed libraries/);
    expect(existsSync(join(dir, 'packages/fastdiff/dist/native/linux-x64-gnu/x.so'))).toBe(false);
    const cache = join(dir, '.devkit/cache/native');
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
    expect(leftoverContainers()).toEqual([]);
  });

  it('a floor the zig builder cannot meet, or an unknown target: exit 2 with the key, what it gives, the valid names', async () => {
    const dir = copyFixture('acme');
    setNative(dir, {
      packages: { '@acme/fastdiff': { build: 'sh build.sh', outputs: ['out/*'], glibc: '2.12' } },
    });
    const low = await runDevkit(['native', 'build', '--target', 'linux-x64-gnu'], { cwd: dir });
    expect(low.exitCode).toBe(2);
    expect(low.stderr).toMatch(
      /E_NATIVE_FLOOR_UNMET: linux-x64-gnu asks for glibc 2\.12 \(native\.packages\["@acme\/fastdiff"\]\.glibc in devkit\.json\), but builder zig gives glibc 2\.17 and newer/,
    );
    const typo = await runDevkit(['native', 'build', '--target', 'linux-x64-mus'], { cwd: copyFixture('acme') });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toMatch(/unknown native target "linux-x64-mus"; did you mean linux-x64-musl\?/);
    expect(typo.stderr).toMatch(/linux-arm64-musl, linux-x64-gnu, linux-x64-musl/);
    expect(leftoverContainers()).toEqual([]);
  });

  it('no Docker engine on a cache miss: exit 3 with how to start one', async () => {
    const dir = copyFixture('acme');
    const run = await runDevkit(['native', 'build', '--target', 'linux-x64-gnu'], {
      cwd: dir,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/E_NATIVE_NO_DOCKER: no Docker engine answers at unix:\/\/\/nonexistent\/docker.sock/);
    expect(run.stderr).toMatch(/dockerd --bridge=none --iptables=false/);
  });

  it('a container left by a killed run (kill -9) is removed by the next build that needs the engine', async () => {
    const dir = copyFixture('acme');
    // What a devkit killed with SIGKILL leaves: a labelled build container whose process is gone.
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    const orphan = docker(
      'create',
      '--network',
      'none',
      '--label',
      'devkit.native=build',
      '--label',
      `devkit.pid=${dead}`,
      '--label',
      `devkit.host=${hostname()}`,
      '--entrypoint',
      'sleep',
      zig.id,
      'infinity',
    );
    docker('start', orphan);
    expect(leftoverContainers()).toContain(orphan.slice(0, 12));
    const run = await runDevkit(['native', 'build', '--target', 'linux-x64-gnu'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(leftoverContainers()).toEqual([]);
  });

  it('Ctrl-C during a build removes its container', async () => {
    const dir = copyFixture('acme');
    setNative(dir, {
      packages: {
        '@acme/fastdiff': { build: 'echo started; sleep 120', outputs: ['out/*'], targets: ['linux-x64-gnu'] },
      },
    });
    const child = spawn(process.execPath, [DEVKIT_BIN, 'native', 'build'], {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    // Interrupt once the build is under way: its container runs, and in it the build command
    // has got past its first line (the engine lists `sleep 120` among the container's processes).
    const building = {
      timeoutMs: 60_000,
      intervalMs: 100,
      failIf: () => child.exitCode !== null && `devkit native build exited ${child.exitCode}`,
    };
    try {
      const container = await waitFor(
        // This run's container: other runs on the same engine may be building the fixture too.
        () =>
          docker(
            'ps',
            '--filter',
            'label=devkit.package=@acme/fastdiff',
            '--filter',
            `label=devkit.pid=${child.pid}`,
            '--format',
            '{{.ID}}',
          ),
        { what: 'the build container of @acme/fastdiff to run', ...building },
      );
      await waitFor(() => spawnSync('docker', ['top', container], { encoding: 'utf8' }).stdout.includes('sleep 120'), {
        what: `the build command to run in container ${container}`,
        ...building,
      });
    } finally {
      child.kill('SIGINT');
    }
    const result = await exited;
    // Ended by the interrupt: the signal itself, or 130 where the CLI turns it into an exit code.
    expect(result.signal === 'SIGINT' || result.code === 130).toBe(true);
    expect(leftoverContainers()).toEqual([]);
    expect(
      spawnSync(
        'docker',
        ['ps', '-aq', '--filter', 'label=devkit.package=@acme/fastdiff', '--filter', `label=devkit.pid=${child.pid}`],
        { encoding: 'utf8' },
      ).stdout.trim(),
    ).toBe('');
  });
});
