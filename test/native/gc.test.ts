import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, hasBinary, requirePrerequisite, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';

// `devkit native gc` removes images from a whole engine, so these tests run against an engine of
// their own (a second dockerd with its own data root and socket): on a shared engine they would
// remove the builder images other checkouts and tests use. Images are tiny: a root file system
// of a few host programs (sh, sleep, tar, cp…, with their libraries), imported with devkit's
// labels, on which `devkit native images` builds a real builder image and `devkit native build`
// real cache entries.

interface Item {
  kind: string;
  id: string;
  name: string;
  size: number;
  rule: string;
  reason: string;
  error?: string;
}
interface Lists {
  removed: Item[];
  kept: Item[];
  failed: Item[];
}
interface GcDoc {
  ok: boolean;
  dryRun: boolean;
  keep: number;
  freedBytes: number;
  builders?: Record<string, { baseInputs: string; builderInputs?: string; unknown?: string }>;
  images?: Lists;
  volumes?: Lists;
  cache: Lists;
  error?: { code: string; message: string; hint?: string };
}

const MIRROR = 'http://mirror.invalid/debian';
let engineDir: string;
let dockerd: ChildProcess;
let socket: string;
let env: Record<string, string>;
let repo: string;

function docker(...args: string[]): string {
  return execFileSync('docker', ['-H', `unix://${socket}`, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** The engine's own JSON for a GET (what `docker system df` reads). */
function engineGet<T>(path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve(JSON.parse(body) as T));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A root file system of host programs and the libraries they load, as a tarball for `docker import`. */
function miniRootfs(dir: string, extra: Record<string, string>): string {
  const root = join(dir, 'rootfs');
  mkdirSync(root, { recursive: true });
  const copy = (from: string, to: string) => {
    mkdirSync(dirname(join(root, to)), { recursive: true });
    copyFileSync(realpathSync(from), join(root, to));
    chmodSync(join(root, to), 0o755);
  };
  // What devkit's build script in the container uses, and what a build command here needs.
  const programs = [
    'sh',
    'sleep',
    'mkdir',
    'rmdir',
    'rm',
    'mv',
    'cp',
    'tar',
    'find',
    'cat',
    'head',
    'date',
    'wc',
    'ls',
    'env',
  ];
  for (const name of programs) {
    const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    copy(path, `/bin/${name}`);
    for (const line of execFileSync('ldd', [path], { encoding: 'utf8' }).split('\n')) {
      const lib = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1];
      if (lib && !existsSync(join(root, lib))) copy(lib, lib);
    }
  }
  // What `native images` asks a builder for its glibc; the host's own getconf would say 2.36.
  writeFiles(root, { 'usr/bin/getconf': '#!/bin/sh\necho glibc 2.31\n', ...extra });
  chmodSync(join(root, 'usr/bin/getconf'), 0o755);
  for (const d of ['tmp', 'root', 'build/src']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  const tar = join(dir, 'rootfs.tar');
  execFileSync('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.']);
  rmSync(root, { recursive: true, force: true });
  return tar;
}

/** Imports a tarball as an image with these labels; returns its ID. */
function importImage(tar: string, tag: string, labels: Record<string, string>): string {
  const changes = Object.entries(labels).flatMap(([k, v]) => ['-c', `LABEL ${k}=${v}`]);
  return docker('import', ...changes, tar, tag);
}

async function gc(...args: string[]): Promise<{ exitCode: number; doc: GcDoc; stderr: string }> {
  const run = await runDevkit(['native', 'gc', '--json', ...args], { cwd: repo, env });
  return { exitCode: run.exitCode, doc: JSON.parse(run.stdout) as GcDoc, stderr: run.stderr };
}

const names = (items: Item[] | undefined) => (items ?? []).map((i) => i.name).sort();

/** Every image's ID on the private engine, tagged or not (intermediate ones left out). */
/** The engine's image IDs, sorted: `docker images` orders by creation time, which ties within a second. */
function imageIds(): string[] {
  return [...new Set(docker('images', '-q', '--no-trunc').split('\n').filter(Boolean))].sort();
}

let base: { id: string; inputs: string };
let first: { id: string; tag: string };
let second: { id: string; tag: string };
let staleBase: string;
let inUse: string;
let foreign: string;
let entries: { first: string; second: string };

beforeAll(async () => {
  requirePrerequisite(
    'root and dockerd',
    process.getuid?.() === 0 && hasBinary('dockerd') && hasBinary('ldd') && hasBinary('gcc'),
    'run as root with Debian docker.io, libc-bin and gcc installed (bash tools/system/30-docker.sh)',
  );
  // Short paths: the engine's and containerd's sockets must fit in a socket address.
  engineDir = mkdtempSync('/tmp/dkgc-');
  socket = join(engineDir, 'd.sock');
  const log = openSync(join(engineDir, 'dockerd.log'), 'a');
  dockerd = spawn(
    'dockerd',
    [
      '--data-root',
      join(engineDir, 'data'),
      '--exec-root',
      join(engineDir, 'x'),
      '--pidfile',
      join(engineDir, 'pid'),
      '-H',
      `unix://${socket}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
    ],
    { stdio: ['ignore', log, log] },
  );
  for (let i = 0; ; i++) {
    try {
      docker('info');
      break;
    } catch (error) {
      if (i > 120)
        throw new Error(
          `the test's dockerd did not answer: ${readFileSync(join(engineDir, 'dockerd.log'), 'utf8').slice(-2000)}`,
          { cause: error },
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  env = { DOCKER_HOST: `unix://${socket}`, DEVKIT_DEBIAN_MIRROR: MIRROR };

  repo = tempDir('devkit-gc-');
  const work = tempDir('devkit-gc-images-');
  writeFiles(repo, {
    'package.json': { name: 'gc-fixture', private: true },
    'pnpm-workspace.yaml': 'packages:\n  - add\n',
    'add/package.json': { name: '@t/add', version: '1.0.0' },
    'add/add.c': [
      '#include <node_api.h>',
      'static napi_value Add(napi_env env, napi_callback_info info) {',
      '  napi_value r; napi_create_int32(env, 42, &r); return r;',
      '}',
      'NAPI_MODULE_INIT() {',
      '  napi_value fn;',
      '  napi_create_function(env, "add", NAPI_AUTO_LENGTH, Add, NULL, &fn);',
      '  napi_set_named_property(env, exports, "add", fn);',
      '  return exports;',
      '}',
      '',
    ].join('\n'),
    'docker/tiny/base.json': { release: 'bullseye', variant: 'minbase', include: [] },
    'docker/tiny/Dockerfile': 'ARG BASE\nFROM $BASE\nCOPY hello /opt/hello\n',
    'docker/tiny/hello': 'hello\n',
    'devkit.json': {
      native: {
        builders: { tiny: { dockerfile: 'docker/tiny/Dockerfile' } },
        targets: { 'linux-x64-gnu': { builder: 'tiny', glibc: '2.31' } },
        packages: {
          '@t/add': {
            build: 'cp prebuilt.so add.node',
            outputs: ['add.node'],
            path: 'add',
            targets: ['linux-x64-gnu'],
          },
        },
      },
    },
  });
  // The addon is compiled here; the build in the builder only copies it (the tiny image has no compiler).
  execFileSync('gcc', [
    '-shared',
    '-fPIC',
    '-O2',
    '-I/usr/include/node',
    '-o',
    join(repo, 'add/prebuilt.so'),
    join(repo, 'add/add.c'),
  ]);

  // The base `native images` looks for: one carrying the current inputs digest of the tiny
  // builder's base, which gc reports (the image is not there yet: nothing can be built on it).
  const probe = await gc('--dry-run');
  expect(probe.exitCode).toBe(0);
  const inputs = probe.doc.builders!.tiny!.baseInputs;
  expect(inputs).toMatch(/^[0-9a-f]{64}$/);
  expect(probe.doc.builders!.tiny!.builderInputs).toBeUndefined();
  base = {
    inputs,
    id: importImage(miniRootfs(join(work, 'base'), {}), `devkit-base:bullseye-${inputs.slice(0, 12)}`, {
      'devkit.base.inputs': inputs,
      'devkit.base.release': 'bullseye',
    }),
  };
  const images = async () => {
    const made = await runDevkit(['native', 'images', '--builder', 'tiny', '--json'], { cwd: repo, env });
    expect(made.exitCode, made.stdout + made.stderr).toBe(0);
    return (JSON.parse(made.stdout) as { images: Array<{ id: string; tag: string; built: { base: boolean } }> })
      .images[0]!;
  };
  const build = async () => {
    const built = await runDevkit(['native', 'build', '--json'], { cwd: repo, env });
    expect(built.exitCode, built.stdout + built.stderr).toBe(0);
    return (JSON.parse(built.stdout) as { builds: Array<{ key: string; cached: boolean }> }).builds[0]!;
  };
  first = await images();
  expect(first.built.base).toBe(false);
  entries = { first: (await build()).key, second: '' };
  // A Dockerfile edit: a new builder image (the first is now unused), and a new cache key.
  writeFileSync(
    join(repo, 'docker/tiny/Dockerfile'),
    'ARG BASE\nFROM $BASE\nCOPY hello /opt/hello\nCOPY hello /opt/hello2\n',
  );
  second = await images();
  expect(second.id).not.toBe(first.id);
  entries.second = (await build()).key;
  expect(entries.second).not.toBe(entries.first);

  // A base no builder uses any more (its own bytes, so that removing it frees them).
  staleBase = importImage(
    miniRootfs(join(work, 'stale'), { 'junk.bin': randomBytes(300_000).toString('base64') }),
    'devkit-base:bullseye-000000000000',
    { 'devkit.base.inputs': '0'.repeat(64), 'devkit.base.release': 'bullseye' },
  );
  // An old builder image that a stopped container still uses.
  inUse = importImage(miniRootfs(join(work, 'inuse'), { 'old.txt': 'old\n' }), 'devkit-builder/tiny:111111111111', {
    'devkit.builder.inputs': '1'.repeat(64),
    'devkit.builder': 'tiny',
    'devkit.base.inputs': inputs,
  });
  docker('create', '--name', 'gc-probe', '--network', 'none', inUse, '/bin/sleep', '1');
  // An image devkit did not make.
  foreign = importImage(miniRootfs(join(work, 'foreign'), { 'mine.txt': 'mine\n' }), 'someone/else:1', {});
  // Zig cache volumes: of the unused builder image (with 200 KB in it), of one long gone, of the current one.
  const volume = (image: string) => {
    const name = `devkit-zig-cache-${image.slice(7, 19)}`;
    docker('volume', 'create', '--label', 'devkit.native=zig-cache', '--label', `devkit.image=${image}`, name);
    return name;
  };
  const firstVolume = volume(first.id);
  docker(
    'run',
    '--rm',
    '--network',
    'none',
    '-v',
    `${firstVolume}:/data`,
    second.id,
    'sh',
    '-c',
    'head -c 200000 /dev/zero > /data/zig-cache.bin',
  );
  volume(`sha256:${'d'.repeat(64)}`);
  volume(second.id);
  // A staging folder of a build that was killed (pid 2^22 + 1: above any pid Linux hands out).
  mkdirSync(join(repo, `.devkit/cache/native/${'e'.repeat(64)}.4194305.tmp/files`), { recursive: true });
  writeFileSync(join(repo, `.devkit/cache/native/${'e'.repeat(64)}.4194305.tmp/files/half.node`), 'x'.repeat(5000));
}, 600_000);

afterAll(async () => {
  if (dockerd && dockerd.exitCode === null) {
    const exited = new Promise((r) => dockerd.once('exit', r));
    dockerd.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  }
  if (engineDir) rmSync(engineDir, { recursive: true, force: true });
  cleanupTempDirs();
}, 60_000);

describe('devkit native gc', () => {
  it('--dry-run lists what would go, with sizes and reasons, and removes nothing', async () => {
    const before = imageIds();
    const { exitCode, doc } = await gc('--dry-run');
    expect(exitCode).toBe(0);
    expect(doc.dryRun).toBe(true);
    expect(names(doc.images!.removed)).toEqual(['devkit-base:bullseye-000000000000', first.tag]);
    expect(doc.images!.kept.map((i) => [i.name, i.rule]).sort()).toEqual(
      [
        [`devkit-base:bullseye-${base.inputs.slice(0, 12)}`, 'current'],
        ['devkit-builder/tiny:111111111111', 'in-use'],
        [second.tag, 'current'],
      ].sort(),
    );
    expect(doc.images!.kept.find((i) => i.id === inUse)!.reason).toBe(
      'used by container gc-probe (created); remove it first: docker rm gc-probe',
    );
    expect(doc.volumes!.removed.map((v) => [v.name, v.rule]).sort()).toEqual(
      [
        [`devkit-zig-cache-${first.id.slice(7, 19)}`, 'unused'],
        [`devkit-zig-cache-${'d'.repeat(12)}`, 'image-gone'],
      ].sort(),
    );
    expect(doc.volumes!.kept.map((v) => v.name)).toEqual([`devkit-zig-cache-${second.id.slice(7, 19)}`]);
    expect(doc.cache.removed.map((c) => [c.id, c.kind])).toEqual([
      [entries.first, 'cache-entry'],
      [`${'e'.repeat(64)}.4194305.tmp`, 'staging'],
    ]);
    expect(doc.cache.kept.map((c) => [c.id, c.rule, c.name])).toEqual([
      [entries.second, 'current', '@t/add linux-x64-gnu'],
    ]);
    const removed = [...doc.images!.removed, ...doc.volumes!.removed, ...doc.cache.removed];
    expect(doc.freedBytes).toBe(removed.reduce((n, i) => n + i.size, 0));
    // The stale base's own 400 KB, the volume's 200 KB, the staging folder's 5 KB.
    expect(doc.images!.removed.find((i) => i.id === staleBase)!.size).toBeGreaterThan(400_000);
    expect(doc.volumes!.removed.find((v) => v.rule === 'unused')!.size).toBe(200_000);
    expect(doc.cache.removed[1]!.size).toBe(5000);
    // Nothing went.
    expect(imageIds()).toEqual(before);
    expect(existsSync(join(repo, '.devkit/cache/native', entries.first))).toBe(true);
    expect(docker('volume', 'ls', '-q').split('\n')).toHaveLength(3);
  });

  it('--keep 1 also keeps the newest unused image per builder, entry per package × target, and what they need', async () => {
    const { exitCode, doc } = await gc('--dry-run', '--keep', '1');
    expect(exitCode).toBe(0);
    expect(doc.keep).toBe(1);
    // The in-use image is older than the first builder image, which is the one --keep keeps.
    expect(doc.images!.kept.find((i) => i.id === first.id)!.rule).toBe('keep');
    expect(doc.images!.kept.find((i) => i.id === staleBase)!.rule).toBe('keep');
    expect(doc.images!.removed).toEqual([]);
    expect(doc.volumes!.removed.map((v) => v.rule)).toEqual(['image-gone']);
    expect(doc.cache.kept.map((c) => [c.id, c.rule])).toEqual([
      [entries.second, 'current'],
      [entries.first, 'keep'],
    ]);
  });

  it('removes them, says how many bytes it freed, and the next build still hits the cache', async () => {
    const df = () => engineGet<{ LayersSize: number }>('/system/df');
    const layersBefore = (await df()).LayersSize;
    const human = await runDevkit(['native', 'gc', '--dry-run'], { cwd: repo, env });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain(`would remove: image ${first.tag} (`);
    expect(human.stdout).toContain(
      'kept: image devkit-builder/tiny:111111111111 (used by container gc-probe (created)',
    );
    expect(human.stdout).toMatch(
      /would remove 2 images, 2 zig cache volumes, 1 cache entry, 1 unfinished build folder \(.+ would be freed\)$/,
    );

    const { exitCode, doc } = await gc();
    expect(exitCode).toBe(0);
    expect(doc.dryRun).toBe(false);
    expect(doc.images!.failed).toEqual([]);
    expect(names(doc.images!.removed)).toEqual(['devkit-base:bullseye-000000000000', first.tag]);
    const ids = imageIds();
    expect(ids).not.toContain(first.id);
    expect(ids).not.toContain(staleBase);
    for (const id of [second.id, base.id, inUse, foreign]) expect(ids).toContain(id);
    // What the engine freed is what gc said: image bytes along parent links, shared layers once.
    const imageBytes = doc.images!.removed.reduce((n, i) => n + i.size, 0);
    expect(layersBefore - (await df()).LayersSize).toBe(imageBytes);
    expect(docker('volume', 'ls', '-q')).toBe(`devkit-zig-cache-${second.id.slice(7, 19)}`);
    expect(readdirSync(join(repo, '.devkit/cache/native'))).toEqual([entries.second]);

    const again = await runDevkit(['native', 'build', '--json'], { cwd: repo, env });
    expect(again.exitCode, again.stderr).toBe(0);
    const builds = (JSON.parse(again.stdout) as { builds: Array<{ key: string; cached: boolean }> }).builds;
    expect(builds.map((b) => [b.key, b.cached])).toEqual([[entries.second, true]]);

    // Nothing left to do; the image a container used goes once the container does.
    expect((await gc()).doc.freedBytes).toBe(0);
    docker('rm', 'gc-probe');
    const last = await gc();
    expect(last.doc.images!.removed.map((i) => i.id)).toEqual([inUse]);
  });

  it('reports what it could not remove, removes the rest, and exits 1', async () => {
    const cache = join(repo, '.devkit/cache/native');
    const stuck = 'a'.repeat(64);
    const stale = 'b'.repeat(64);
    for (const key of [stuck, stale]) {
      writeFiles(join(cache, key), {
        'manifest.json': { key, package: '@t/add', target: 'linux-x64-gnu', image: 'sha256:0', files: [] },
        'files/add.node': 'x',
      });
    }
    // Not even root may delete an immutable file.
    execFileSync('chattr', ['+i', join(cache, stuck, 'files/add.node')]);
    try {
      const { exitCode, doc } = await gc();
      expect(exitCode).toBe(1);
      expect(doc.cache.failed.map((f) => f.id)).toEqual([stuck]);
      expect(doc.cache.failed[0]!.error).toMatch(/EPERM|not permitted/);
      expect(doc.cache.removed.map((r) => r.id)).toEqual([stale]);
      expect(existsSync(join(cache, stale))).toBe(false);
      const human = await runDevkit(['native', 'gc'], { cwd: repo, env });
      expect(human.exitCode).toBe(1);
      expect(human.stdout).toMatch(/failed: unfinished build folder a{64}\.\d+\.tmp: .*(EPERM|not permitted)/);
    } finally {
      for (const name of readdirSync(cache))
        if (name.startsWith(stuck)) execFileSync('chattr', ['-i', join(cache, name, 'files/add.node')]);
    }
    // The next run finishes the job: the half-removed entry is a staging folder of a run that ended.
    const { exitCode, doc } = await gc();
    expect(exitCode).toBe(0);
    expect(doc.cache.removed.map((r) => r.kind)).toEqual(['staging']);
    expect(readdirSync(cache)).toEqual([entries.second]);
  });

  it('without an engine, still collects the cache and exits 3 with the way to start one', async () => {
    const stale = 'c'.repeat(64);
    writeFiles(join(repo, '.devkit/cache/native', stale), {
      'manifest.json': { key: stale, package: '@t/add', target: 'linux-x64-gnu', image: 'sha256:0', files: [] },
    });
    const run = await runDevkit(['native', 'gc', '--json'], {
      cwd: repo,
      env: { ...env, DOCKER_HOST: `unix://${engineDir}/nobody.sock` },
    });
    expect(run.exitCode).toBe(3);
    const doc = JSON.parse(run.stdout) as GcDoc;
    expect(doc.ok).toBe(false);
    expect(doc.error?.code).toBe('E_NATIVE_NO_DOCKER');
    expect(doc.images).toBeUndefined();
    expect(doc.cache.removed.map((r) => r.id)).toEqual([stale]);
    expect(doc.cache.kept.map((r) => r.id)).toEqual([entries.second]);
    expect(existsSync(join(repo, '.devkit/cache/native', stale))).toBe(false);
  });
});
