import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  provisionPnpm,
  REPO_ROOT,
  runDevkit,
  tempDir,
  writeFiles,
  type ToolCommand,
} from '@devkit/test-utils';
import { docker, leftoverContainers, requireDocker } from './helpers.js';

// A C++ addon whose binding.gyp finds its headers with require('node-addon-api'), installed by
// the real pnpm from the npm registry (so node_modules/node-addon-api is pnpm's link into its
// store), built with a plain `node-gyp rebuild`: no vendored headers, no NODE_PATH. The gcc
// builder (bullseye) keeps the compile to seconds.

interface Build {
  package: string;
  target: string;
  cached: boolean;
  ok: boolean;
  outputs: Array<{ path: string }>;
  dependencies: Array<{ name: string; version: string }>;
}

const ADDON_API = '8.9.2';
const OUTPUT = 'prebuilds/linux-x64/tiny.napi.glibc.node';
let repo: string;
let pnpm: ToolCommand;

function runPnpm(...args: string[]): void {
  execFileSync(pnpm.file, [...pnpm.args, ...args], {
    cwd: repo,
    stdio: 'pipe',
    env: {
      ...process.env,
      ...(pnpm.pathPrepend ? { PATH: `${pnpm.pathPrepend}:${process.env.PATH ?? ''}` } : {}),
    },
  });
}

function setDevkitJson(packageSpec: Record<string, unknown>): void {
  writeFiles(repo, {
    'devkit.json': {
      native: {
        targets: { 'linux-x64-gnu': { builder: 'bullseye', glibc: '2.31' } },
        packages: {
          '@acme/tiny': {
            build: 'node-gyp rebuild --nodedir="$npm_config_nodedir"',
            outputs: ['build/Release/tiny.node'],
            targets: ['linux-x64-gnu'],
            ...packageSpec,
          },
        },
      },
    },
  });
}

/** Build containers created since `since` (Unix seconds). */
function createdContainers(since: string): number {
  const out = docker(
    'events',
    '--since',
    since,
    '--until',
    String(Math.floor(Date.now() / 1000) + 1),
    '--filter',
    'type=container',
    '--filter',
    'event=create',
    '--filter',
    'label=devkit.native=build',
    '--format',
    '{{index .Actor.Attributes "devkit.package"}}',
  );
  return out === '' ? 0 : out.split('\n').filter((line) => line.includes('@acme/tiny')).length;
}

beforeAll(async () => {
  requireDocker();
  repo = tempDir('devkit-native-deps-');
  const rootManifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string };
  pnpm = await provisionPnpm(rootManifest.packageManager.replace(/^pnpm@/, '').replace(/\+.*$/, ''));
  writeFiles(repo, {
    'package.json': { name: 'native-deps', private: true },
    'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
    'packages/tiny/package.json': {
      name: '@acme/tiny',
      version: '1.0.0',
      private: true,
      devDependencies: { 'node-addon-api': ADDON_API },
    },
    'packages/tiny/binding.gyp': {
      targets: [
        {
          target_name: 'tiny',
          sources: ['tiny.cc'],
          include_dirs: ['<!(node -p "require(\'node-addon-api\').include_dir")'],
          defines: ['NAPI_DISABLE_CPP_EXCEPTIONS'],
        },
      ],
    },
    'packages/tiny/tiny.cc': [
      '#include <napi.h>',
      'static Napi::Value Answer(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), 42); }',
      'static Napi::Object Init(Napi::Env env, Napi::Object exports) {',
      '  exports.Set("answer", Napi::Function::New(env, Answer));',
      '  return exports;',
      '}',
      'NODE_API_MODULE(tiny, Init)',
      '',
    ].join('\n'),
  });
  setDevkitJson({});
  // From the npm registry; the workspace has no lockfile yet (in CI pnpm would insist on one).
  runPnpm('install', '--ignore-scripts', '--no-frozen-lockfile');
  const made = await runDevkit(['native', 'images', '--builder', 'bullseye'], { cwd: repo, timeoutMs: 1_500_000 });
  expect(made.exitCode, made.stderr).toBe(0);
}, 1_800_000);

afterAll(() => cleanupTempDirs());

describe('build dependencies of a native package', () => {
  it("builds an addon whose binding.gyp requires node-addon-api from pnpm's linked node_modules, and it loads", async () => {
    // pnpm's layout: a link into its virtual store, which the build gets as real files.
    expect(lstatSync(join(repo, 'packages/tiny/node_modules/node-addon-api')).isSymbolicLink()).toBe(true);
    const run = await runDevkit(['native', 'build', '--json'], { cwd: repo, timeoutMs: 600_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const [build] = (JSON.parse(run.stdout) as { builds: Build[] }).builds;
    expect(build).toMatchObject({
      package: '@acme/tiny',
      target: 'linux-x64-gnu',
      ok: true,
      cached: false,
      outputs: [{ path: `packages/tiny/${OUTPUT}` }],
      dependencies: [{ name: 'node-addon-api', version: ADDON_API }],
    });
    const loaded = execFileSync(
      process.execPath,
      [
        '-e',
        'const m = { exports: {} }; process.dlopen(m, process.argv[1]); console.log(m.exports.answer());',
        join(repo, 'packages/tiny', OUTPUT),
      ],
      { encoding: 'utf8' },
    );
    expect(loaded.trim()).toBe('42');
    // The package's node_modules is as pnpm left it.
    expect(lstatSync(join(repo, 'packages/tiny/node_modules/node-addon-api')).isSymbolicLink()).toBe(true);
    expect(leftoverContainers()).toEqual([]);
  });

  it('a cache hit while node-addon-api is unchanged; another version of it builds again', async () => {
    const hit = await runDevkit(['native', 'build', '--json'], { cwd: repo, timeoutMs: 600_000 });
    expect(hit.exitCode, hit.stderr).toBe(0);
    expect((JSON.parse(hit.stdout) as { builds: Build[] }).builds[0]!.cached).toBe(true);

    runPnpm('add', '--ignore-scripts', '-D', 'node-addon-api@8.9.1', '--filter', '@acme/tiny');
    const since = (Date.now() / 1000).toFixed(3);
    const again = await runDevkit(['native', 'build', '--json'], { cwd: repo, timeoutMs: 600_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { builds: Build[] }).builds[0]).toMatchObject({
      cached: false,
      ok: true,
      dependencies: [{ name: 'node-addon-api', version: '8.9.1' }],
    });
    expect(createdContainers(since)).toBe(1);
  });

  it('exits 2 before any container for a configured dependency that is not installed, or not declared; warns for a missing helper', async () => {
    const manifest = join(repo, 'packages/tiny/package.json');
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { devDependencies: Record<string, string> };
    // Declared, but pnpm install has not run since.
    writeFileSync(
      manifest,
      `${JSON.stringify({ ...pkg, devDependencies: { ...pkg.devDependencies, 'left-pad': '1.3.0' } }, null, 2)}\n`,
    );
    setDevkitJson({ dependencies: ['left-pad'] });
    const since = (Date.now() / 1000).toFixed(3);
    const missing = await runDevkit(['native', 'build'], { cwd: repo });
    expect(missing.exitCode, missing.stderr).toBe(2);
    expect(missing.stderr).toContain(
      'E_NATIVE_DEPENDENCY_MISSING: @acme/tiny: native.packages["@acme/tiny"].dependencies names "left-pad", but it is not installed',
    );
    expect(missing.stderr).toContain('pnpm install');

    setDevkitJson({ dependencies: ['nan'] });
    const undeclared = await runDevkit(['native', 'build'], { cwd: repo });
    expect(undeclared.exitCode, undeclared.stderr).toBe(2);
    expect(undeclared.stderr).toContain(
      'E_NATIVE_DEPENDENCY_UNDECLARED: native.packages["@acme/tiny"].dependencies names "nan", which packages/tiny/package.json does not declare',
    );
    expect(undeclared.stderr).toContain('pnpm add -D nan --filter @acme/tiny');
    expect(createdContainers(since)).toBe(0);

    // A build helper the package declares but that is not installed is left out, with a warning.
    const declared = JSON.parse(readFileSync(manifest, 'utf8')) as { devDependencies: Record<string, string> };
    writeFileSync(
      manifest,
      `${JSON.stringify({ ...declared, devDependencies: { ...declared.devDependencies, nan: '2.22.0' } }, null, 2)}\n`,
    );
    setDevkitJson({});
    const warned = await runDevkit(['native', 'build'], { cwd: repo, timeoutMs: 600_000 });
    expect(warned.exitCode, warned.stderr).toBe(0);
    expect(warned.stderr).toContain(
      '@acme/tiny declares nan (build helpers) but they are not installed, so its builds go without them; to bring them in, run: pnpm install',
    );
    const listed = await runDevkit(['native', 'build', '--json'], { cwd: repo });
    expect((JSON.parse(listed.stdout) as { builds: Build[] }).builds[0]).toMatchObject({
      cached: true,
      dependencies: [{ name: 'node-addon-api', version: '8.9.1' }],
    });
  });
});
