import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
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

// One file for everything that needs the Docker engine, so the builder images are made once
// (the first `native images` of a CI run debootstraps them) and the tests run one after another.

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
  built: { base: boolean; builder: boolean };
}

const FOUR = ['darwin-arm64', 'darwin-x64', 'linux-arm64-gnu', 'linux-x64-gnu'];
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
  const made = await runDevkit(['native', 'images', '--json'], { cwd: repo, timeoutMs: 1_500_000 });
  expect(made.stderr).toBe('');
  expect(made.exitCode).toBe(0);
  images = (JSON.parse(made.stdout) as { images: ImageRecord[] }).images;
  const built = await runDevkit(['native', 'build', '--json'], { cwd: repo, timeoutMs: 600_000 });
  expect(built.exitCode, built.stdout + built.stderr).toBe(0);
  builds = (JSON.parse(built.stdout) as { builds: Build[] }).builds;
}, 1_800_000);

afterAll(() => cleanupTempDirs());

describe('devkit native images', () => {
  it('makes the builders offline and pins them by ID; unchanged inputs are not rebuilt', async () => {
    expect(images.map((i) => i.builder).sort()).toEqual(['bookworm', 'bullseye']);
    expect(Object.fromEntries(images.map((i) => [i.builder, i.glibc]))).toEqual({ bullseye: '2.31', bookworm: '2.36' });
    const again = await runDevkit(['native', 'images', '--json'], { cwd: repo });
    expect(again.exitCode).toBe(0);
    const second = (JSON.parse(again.stdout) as { images: ImageRecord[] }).images;
    expect(second.map((i) => [i.builder, i.id, i.built])).toEqual(
      images.map((i) => [i.builder, i.id, { base: false, builder: false }]),
    );
    const recorded = JSON.parse(readFileSync(join(repo, '.devkit/native/images.json'), 'utf8')) as Record<
      string,
      { id: string }
    >;
    expect(recorded.bullseye!.id).toBe(images.find((i) => i.builder === 'bullseye')!.id);
    // Builds ran on exactly those images.
    expect(new Set(builds.map((b) => b.image))).toEqual(new Set(images.map((i) => i.id)));
  });
});

describe('devkit native build on the fixture', () => {
  it('builds and verifies the addon and the library for the four targets, recording each floor', () => {
    expect(builds.map((b) => b.target)).toEqual(FOUR);
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
        'packages/fastdiff/prebuilds/linux-x64/fastdiff.napi.glibc.node',
        'packages/fastdiff/dist/native/linux-x64-gnu/libfastdiff.so',
        'packages/fastdiff/dist/native/linux-x64-gnu/fastdiff-smoke',
      ].sort(),
    );
    const floor = (target: string, suffix: string) =>
      builds.find((b) => b.target === target)!.outputs.find((o) => o.path.endsWith(suffix))!.floor;
    expect(floor('linux-x64-gnu', '.node')).toEqual({ glibc: '2.2.5' });
    expect(floor('linux-arm64-gnu', '.node')).toEqual({ glibc: '2.17' });
    expect(floor('darwin-x64', '.node')).toEqual({ macos: '10.15' });
    expect(floor('darwin-arm64', '.node')).toEqual({ macos: '11.0' });
    const manifest = JSON.parse(
      readFileSync(join(repo, 'packages/fastdiff/dist/native/darwin-arm64/manifest.json'), 'utf8'),
    ) as { outputs: Array<{ path: string; floor: unknown }> };
    expect(manifest.outputs).toContainEqual(
      expect.objectContaining({ path: 'prebuilds/darwin-arm64/fastdiff.napi.node', floor: { macos: '11.0' } }),
    );
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
    expect(wrong.stdout).toMatch(/has no x86_64 slice/);
  });

  it('loads the linux-x64 prebuild with the host Node and calls it', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        "const f = require('./packages/fastdiff'); console.log(f.version(), f.distance(Buffer.from('kitten'), Buffer.from('sitting')), f.commonPrefix(Buffer.from('abcx'), Buffer.from('abcy')), f.equal(Buffer.from('a'), Buffer.from('a')))",
      ],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('1.0.0 3 3 true');
  });

  it('runs the linux-x64 addon on the consumer systems it claims: bullseye (glibc 2.31) and bookworm (glibc 2.36)', () => {
    const addon = join(repo, 'packages/fastdiff/prebuilds/linux-x64/fastdiff.napi.glibc.node');
    for (const image of images) {
      const out = runInImage(image.id, { [addon]: '/consumer/fastdiff.node' }, [
        'node',
        '-e',
        "const f = require('/consumer/fastdiff.node'); console.log(require('child_process').execSync('getconf GNU_LIBC_VERSION').toString().trim(), f.distance(Buffer.from('flaw'), Buffer.from('lawn')))",
      ]);
      expect(out).toBe(`glibc ${image.glibc} 2`);
    }
  });

  it('runs the arm64 build under qemu-aarch64 against the builder arm64 glibc', () => {
    requirePrerequisite(
      'qemu-aarch64',
      hasBinary('qemu-aarch64'),
      'apt-get install qemu-user (tools/system/30-docker.sh does)',
    );
    const sysroot = mkdtempSync(join(tmpdir(), 'devkit-arm64-sysroot-'));
    const bullseye = images.find((i) => i.builder === 'bullseye')!;
    const id = docker('create', '--network', 'none', bullseye.id, 'true');
    try {
      docker('cp', `${id}:/usr/aarch64-linux-gnu/lib`, sysroot);
    } finally {
      docker('rm', '-f', id);
    }
    const smoke = join(repo, 'packages/fastdiff/dist/native/linux-arm64-gnu/fastdiff-smoke');
    // qemu looks for the loader and libc under -L: <sysroot>/lib/ld-linux-aarch64.so.1.
    const out = execFileSync('qemu-aarch64', ['-L', sysroot, smoke], { encoding: 'utf8' });
    expect(out.trim()).toBe('fastdiff 1.0.0 distance=3 prefix=0 equal=1');
    execFileSync('rm', ['-rf', sysroot]);
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
    expect(second.map((b) => [b.target, b.cached])).toEqual(FOUR.map((t) => [t, true]));
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

describe('builder images that went away', () => {
  it('finds the builder again by its inputs when the recorded image no longer exists', async () => {
    const dir = copyFixture('acme');
    const recordsFile = join(dir, '.devkit/native/images.json');
    const images = await runDevkit(['native', 'images', '--builder', 'bullseye'], { cwd: dir });
    expect(images.exitCode).toBe(0);
    const records = JSON.parse(readFileSync(recordsFile, 'utf8')) as Record<string, { id: string }>;
    const real = records.bullseye!.id;
    records.bullseye!.id = `sha256:${'0'.repeat(64)}`;
    writeFileSync(recordsFile, JSON.stringify(records));
    const run = await runDevkit(['native', 'build', '--target', 'linux-x64-gnu', '--json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { builds: Build[] }).builds.map((b) => b.image)).toEqual([real]);
    expect((JSON.parse(readFileSync(recordsFile, 'utf8')) as Record<string, { id: string }>).bullseye!.id).toBe(real);
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
    const build =
      "mkdir -p out && echo 'int f(void) { return 0; }' > x.c && $CC -shared -fPIC -o out/x.so x.c -Wl,--no-as-needed -lutil";
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
    const bullseye = images.find((i) => i.builder === 'bullseye')!;
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
      bullseye.id,
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
        () => docker('ps', '--filter', 'label=devkit.package=@acme/fastdiff', '--format', '{{.ID}}'),
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
      spawnSync('docker', ['ps', '-aq', '--filter', 'label=devkit.package=@acme/fastdiff'], {
        encoding: 'utf8',
      }).stdout.trim(),
    ).toBe('');
  });
});
