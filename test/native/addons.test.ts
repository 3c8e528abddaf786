import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { cpSync, lstatSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, FIXTURES, provisionNode, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';
import { ensureZig } from '@devkit/native';
import {
  ARM64_MUSL_SYSROOT,
  ARM64_SYSROOT,
  buildMuslHost,
  buildMuslHostArm64,
  compareVersions,
  elfFacts,
  expectedMask,
  fetchNpmPackage,
  installAddonDependencies,
  interpreterOf,
  NODE_GYP_BUILD,
  NPM_ADDONS,
  provisionArm64Node,
  requireAddonPrerequisites,
  writeExerciseScript,
} from './addons-helpers.js';
import { leftoverContainers, requireDocker, runInImage } from './helpers.js';

// Real addons from the npm registry (npm pack, pinned versions and integrity), their dependencies
// installed by pnpm as a user would (node-addon-api comes into the builder from there), built
// from source with a plain `node-gyp rebuild` by one `devkit native build` for the six default
// targets on the zig builder, every output
// verified, then loaded and called where each target runs: the host's Node (x64 glibc), Node 22
// for arm64 under qemu-aarch64, musl's own loader (x64, and Debian's arm64 musl under qemu), and a
// bullseye minbase image with Node 22 and no compiler. macOS outputs are verified, not run: there
// is no macOS here.

const TARGETS = [
  'darwin-arm64',
  'darwin-x64',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'linux-x64-gnu',
  'linux-x64-musl',
];
/** The oldest Node devkit supports, official x64 build from the npm registry (toolchain cache). */
const CONSUMER_NODE = '22.23.5';

interface Output {
  path: string;
  kind: string;
  format: string;
  floor: Record<string, unknown>;
  violations: unknown[];
}
interface Build {
  package: string;
  target: string;
  ok: boolean;
  cached: boolean;
  outputs: Output[];
  dependencies: Array<{ name: string; version: string }>;
}
interface Exercised {
  node: string;
  arch: string;
  addons: {
    bufferutil: { file: string; mask: string; unmask: string };
    argon2: { file: string; hash: string; refused: string };
    secp256k1: { file: string; publicKey: string; valid: boolean };
  };
}

let repo: string;
let builds: Build[];
let buildMs: number;
let exercise: string;

/** A prebuild's place, as node-gyp-build looks for it. */
function prebuild(addon: string, target: string): string {
  const [platform, arch, libc] = target.split('-') as [string, string, string | undefined];
  const file = NPM_ADDONS.find((a) => a.name === addon)!
    .output.replace(/^.*\//, '')
    .replace(/\.node$/, '');
  const tag = platform === 'linux' ? (libc === 'musl' ? '.musl' : '.glibc') : '';
  return `prebuilds/${platform}-${arch}/${file}.napi${tag}.node`;
}

/**
 * argon2id of the exercise's password and salt (m=256 KiB, t=2, p=2, 32 bytes), as Node's own
 * crypto.argon2Sync (OpenSSL, Node ≥ 24.7) computes it; checked against it below where it exists.
 */
const ARGON2ID_HASH = '24a553ffb568271a94998196b0fa1053847c5f7fef5668e70171f7b2f4526199';
const nodeArgon2 = (crypto as unknown as { argon2Sync?: (algorithm: string, params: object) => Buffer }).argon2Sync;

/** What every Node must print: answers computed by Node's own crypto, not by the addons. */
function expected(platformDir: string): Exercised['addons'] {
  const key = crypto.createHash('sha256').update('devkit addon matrix').digest();
  const ecdh = crypto.createECDH('secp256k1');
  ecdh.setPrivateKey(key);
  return {
    bufferutil: { file: prebuild('bufferutil', platformDir), ...expectedMask() },
    argon2: {
      file: prebuild('argon2', platformDir),
      hash: ARGON2ID_HASH,
      // A failed napi call in C++ throws a C++ exception (node-addon-api with exceptions on) that
      // reaches JavaScript as an Error: the statically linked C++ runtime unwinds on this platform.
      refused: 'Error: Invalid argument',
    },
    secp256k1: {
      file: prebuild('secp256k1', platformDir),
      publicKey: ecdh.getPublicKey('hex', 'compressed'),
      valid: true,
    },
  };
}

beforeAll(async () => {
  requireDocker();
  requireAddonPrerequisites();
  repo = tempDir('devkit-addons-');
  const packages: Record<string, { build: string; outputs: string[] }> = {};
  for (const addon of NPM_ADDONS) {
    const dir = join(repo, 'addons', addon.name);
    fetchNpmPackage(addon, dir);
    // The packages ship prebuilds of their own: what gets loaded below must be devkit's.
    rmSync(join(dir, 'prebuilds'), { recursive: true, force: true });
    // node-gyp's own flags for the target; its headers and libraries come from the builder.
    packages[addon.name] = {
      build: 'node-gyp rebuild --arch="$DEVKIT_ARCH" --nodedir="$npm_config_nodedir"',
      outputs: [addon.output],
    };
  }
  // binding.gyp's require('node-addon-api') resolves from here: pnpm's link into its store,
  // which devkit copies into the builder as real files.
  await installAddonDependencies(repo);
  writeFiles(repo, {
    'devkit.json': {
      native: {
        builders: { consumer: { dockerfile: 'docker/consumer/Dockerfile' } },
        packages,
      },
    },
  });
  cpSync(join(FIXTURES, 'native-consumer'), join(repo, 'docker', 'consumer'), { recursive: true });
  exercise = writeExerciseScript(repo);

  // One run builds every addon for every target; the zig cache volume keeps libc++ between runs.
  const started = performance.now();
  const built = await runDevkit(['native', 'build', '--json'], { cwd: repo, timeoutMs: 3_000_000 });
  buildMs = performance.now() - started;
  expect(built.exitCode, built.stdout + built.stderr).toBe(0);
  builds = (JSON.parse(built.stdout) as { builds: Build[] }).builds;
  process.stderr.write(
    `addons: devkit native build of ${builds.length} package × target in ${Math.round(buildMs / 1000)} s\n`,
  );
}, 3_600_000);

afterAll(() => cleanupTempDirs());

describe('real addons from npm, built by devkit for every target', () => {
  it('builds bufferutil, argon2 and secp256k1 for all six targets, and every output verifies', async () => {
    expect(builds.map((b) => `${b.package} ${b.target}`).sort()).toEqual(
      NPM_ADDONS.flatMap((a) => TARGETS.map((t) => `${a.name} ${t}`)).sort(),
    );
    for (const b of builds) {
      expect(b.ok, `${b.package} ${b.target}`).toBe(true);
      // The build helpers each package declares came in from pnpm's node_modules, at the pinned versions.
      const addon = NPM_ADDONS.find((a) => a.name === b.package)!;
      expect(b.dependencies, `${b.package} ${b.target}`).toEqual([
        ...(addon.addonApi ? [{ name: 'node-addon-api', version: addon.addonApi.version }] : []),
        { name: NODE_GYP_BUILD.name, version: NODE_GYP_BUILD.version },
      ]);
      expect(lstatSync(join(repo, 'addons', b.package, 'node_modules/node-gyp-build')).isSymbolicLink()).toBe(true);
      expect(b.outputs.map((o) => o.path)).toEqual([`addons/${b.package}/${prebuild(b.package, b.target)}`]);
      expect(b.outputs[0]!.violations).toEqual([]);
      // The verifier again, on the installed file, as a user would run it.
      const verified = await runDevkit(['native', 'verify', b.outputs[0]!.path, '--target', b.target, '--json'], {
        cwd: repo,
      });
      expect(verified.exitCode, `${b.package} ${b.target}: ${verified.stdout}`).toBe(0);
    }
    expect(leftoverContainers()).toEqual([]);
  });

  it('Linux outputs need only libc (and libm, libpthread, libdl) at glibc ≤ 2.28, or musl alone (readelf)', () => {
    for (const b of builds.filter((x) => x.target.startsWith('linux-'))) {
      const facts = elfFacts(join(repo, b.outputs[0]!.path));
      const where = `${b.package} ${b.target}`;
      expect(facts.machine, where).toBe(b.target.includes('arm64') ? 'AArch64' : 'Advanced Micro Devices X86-64');
      if (b.target.endsWith('-musl')) {
        // musl's libc alone; an addon calling nothing from libc (bufferutil) needs nothing at all.
        expect(
          facts.needed.filter((n) => n !== 'libc.so'),
          where,
        ).toEqual([]);
        if (b.package !== 'bufferutil') expect(facts.needed, where).toEqual(['libc.so']);
        expect(facts.glibc, where).toEqual([]);
      } else {
        // No libstdc++ or libgcc_s: zig links libc++ and libunwind in statically.
        expect(
          facts.needed.filter((n) => !['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2'].includes(n)),
          where,
        ).toEqual([]);
        const newest =
          facts.glibc
            .map((v) => v.slice('GLIBC_'.length))
            .sort(compareVersions)
            .at(-1) ?? '0';
        expect(compareVersions(newest, '2.28'), `${where} needs GLIBC_${newest}`).toBeLessThanOrEqual(0);
      }
    }
  });

  it('loads each linux-x64-gnu prebuild through node-gyp-build in the host Node and gets the right answers', () => {
    if (nodeArgon2) {
      const hash = nodeArgon2('argon2id', {
        message: 'correct horse battery staple',
        nonce: Buffer.from('devkit-salt-0123'),
        parallelism: 2,
        tagLength: 32,
        memory: 256,
        passes: 2,
      });
      expect(hash.toString('hex')).toBe(ARGON2ID_HASH);
    }
    const out = execFileSync(process.execPath, [exercise, repo], { encoding: 'utf8' });
    const result = JSON.parse(out) as Exercised;
    expect(result.arch).toBe('x64');
    expect(result.addons).toEqual(expected('linux-x64-gnu'));
  });

  it('loads each linux-arm64-gnu prebuild in the official arm64 Node 22 under qemu-aarch64', () => {
    const node = provisionArm64Node();
    const out = execFileSync('qemu-aarch64', ['-L', ARM64_SYSROOT, node, exercise, repo], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const result = JSON.parse(out) as Exercised;
    expect(result.arch).toBe('arm64');
    expect(result.node).toMatch(/^v22\./);
    expect(result.addons).toEqual(expected('linux-arm64-gnu'));
  });

  /**
   * Runs the musl N-API host on each addon of `target` and checks what it prints: the initialiser's
   * exports, then one real call per addon, answers computed by Node's own crypto.
   */
  function checkMuslHost(target: string, run: (file: string, args: string[]) => ReturnType<typeof spawnSync>): void {
    const files = Object.fromEntries(
      NPM_ADDONS.map((a) => [a.name, join(repo, 'addons', a.name, prebuild(a.name, target))]),
    );
    const call = (name: string, ...args: string[]) => {
      const r = run(files[name]!, args);
      expect(r.status, `${name} ${target}: ${String(r.stdout)}${String(r.stderr)}`).toBe(0);
      // An initialiser or a call that reached a napi_* function the host only stubs says so here.
      expect(String(r.stderr)).toBe('');
      return String(r.stdout);
    };
    // The first line, when present, is the Node-API version the addon was built for.
    const version = String.raw`(node-api version: \d+\n)?`;
    const want = expected(target);
    expect(call('bufferutil', '--mask')).toMatch(
      new RegExp(
        `^${version}exports: mask unmask\nmask: ${want.bufferutil.mask}\nunmask: ${want.bufferutil.unmask}\n$`,
      ),
    );
    expect(call('argon2', '--argon2')).toMatch(
      new RegExp(`^${version}exports: hash\nargon2id: ${want.argon2.hash}\n$`),
    );
    const key = crypto.createHash('sha256').update('devkit addon matrix').digest('hex');
    expect(call('secp256k1', '--public-key', key)).toMatch(
      new RegExp(
        `^${version}exports: Secp256k1\\{[^}]*publicKeyCreate[^}]*\\}\npublicKeyCreate: 0\npublicKey: ${want.secp256k1.publicKey}\n$`,
      ),
    );
  }

  // No Node build for musl is reachable here: a small C host stands in (addons-musl-host.c).
  it("loads each linux-x64-musl prebuild with RTLD_NOW under musl's own loader, runs its initialiser and calls it", () => {
    const dir = tempDir('devkit-musl-host-');
    const files = NPM_ADDONS.map((a) => join(repo, 'addons', a.name, prebuild(a.name, 'linux-x64-musl')));
    const host = buildMuslHost(files, dir);
    // The host runs under musl's loader, so dlopen resolves each addon against musl alone.
    expect(interpreterOf(host)).toBe('/lib/ld-musl-x86_64.so.1');
    checkMuslHost('linux-x64-musl', (file, args) =>
      spawnSync(host, [file, ...args], { encoding: 'utf8', timeout: 60_000 }),
    );
  });

  it("loads each linux-arm64-musl prebuild under Debian's arm64 musl loader in qemu-aarch64, runs its initialiser and calls it", async () => {
    const dir = tempDir('devkit-musl-host-arm64-');
    const files = NPM_ADDONS.map((a) => join(repo, 'addons', a.name, prebuild(a.name, 'linux-arm64-musl')));
    const zig = await ensureZig(process.env);
    const host = buildMuslHostArm64(files, dir, zig.bin);
    expect(interpreterOf(host)).toBe('/lib/ld-musl-aarch64.so.1');
    expect(elfFacts(host)).toMatchObject({ needed: ['libc.so'], machine: 'AArch64' });
    checkMuslHost('linux-arm64-musl', (file, args) =>
      spawnSync('qemu-aarch64', ['-L', ARM64_MUSL_SYSROOT, host, file, ...args], {
        encoding: 'utf8',
        timeout: 300_000,
      }),
    );
  });

  it('runs each linux-x64-gnu prebuild in a bullseye minbase image with Node 22, no compiler, network off', async () => {
    const node = await provisionNode(CONSUMER_NODE);
    const made = await runDevkit(['native', 'images', '--builder', 'consumer', '--json'], {
      cwd: repo,
      env: { DEVKIT_BUILDER_NODE: node },
      timeoutMs: 1_200_000,
    });
    expect(made.exitCode, made.stdout + made.stderr).toBe(0);
    const image = (JSON.parse(made.stdout) as { images: Array<{ builder: string; id: string; glibc: string }> })
      .images[0]!;
    expect(image).toMatchObject({ builder: 'consumer', glibc: '2.31' });
    // Only what a consumer installs: the packages with their prebuilds and node-gyp-build (pnpm's
    // links point into this repo's store, so the real files are copied).
    const app = tempDir('devkit-consumer-app-');
    for (const addon of NPM_ADDONS)
      cpSync(join(repo, 'addons', addon.name), join(app, 'addons', addon.name), {
        recursive: true,
        filter: (src) => !src.includes('/node_modules'),
      });
    cpSync(
      realpathSync(join(repo, 'node_modules', NODE_GYP_BUILD.name)),
      join(app, 'node_modules', NODE_GYP_BUILD.name),
      { recursive: true },
    );
    cpSync(exercise, join(app, 'exercise.cjs'));
    const out = runInImage(image.id, { [app]: '/consumer/app' }, [
      'node',
      '/consumer/app/exercise.cjs',
      '/consumer/app',
    ]);
    const result = JSON.parse(out) as Exercised;
    expect(result.node).toBe(`v${CONSUMER_NODE}`);
    expect(result.addons).toEqual(expected('linux-x64-gnu'));
  });
});
