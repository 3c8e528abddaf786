import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, runDevkit, tempDir } from '@devkit/test-utils';
import { leftoverContainers, requireDocker } from '../native/helpers.js';
import { cloneAndInstall, fixtureRepo } from './helpers.js';

// `devkit build` of a deployable that ships a native package: the native builds run in the
// builder containers and their outputs travel as one layer per target. Needs the Docker engine
// and the builder images (made offline by `devkit native images` on first use).

interface BuildJson {
  artifacts: Array<{ name: string; digest: string; reused: boolean; layers: Array<{ part: string; digest: string }> }>;
}
interface InspectJson {
  ok: boolean;
  manifest: { layers: Array<{ digest: string; annotations: Record<string, string> }> };
  record: { builders: Record<string, string> };
}

const TARGETS = [
  'darwin-arm64',
  'darwin-x64',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'linux-x64-gnu',
  'linux-x64-musl',
];
const PACKAGE = 'node_modules/.pnpm/workspace+packages+fastdiff/node_modules/@acme/fastdiff';
const PREBUILDS = [
  'prebuilds/darwin-arm64/fastdiff.napi.node',
  'prebuilds/darwin-x64/fastdiff.napi.node',
  'prebuilds/linux-arm64/fastdiff.napi.glibc.node',
  'prebuilds/linux-x64/fastdiff.napi.glibc.node',
  'prebuilds/linux-arm64/fastdiff.napi.musl.node',
  'prebuilds/linux-x64/fastdiff.napi.musl.node',
];

afterAll(cleanupTempDirs);

describe('devkit build with a native dependency', () => {
  it('packs a layer per native target of fastdiff, records the builder images, and reuses the artifact without a container', async () => {
    requireDocker();
    // The fixture's api, made to depend on the native package (in this copy only).
    const dir = await cloneAndInstall(fixtureRepo(), 'native');
    const manifestFile = join(dir, 'apps/api/package.json');
    const pkg = JSON.parse(readFileSync(manifestFile, 'utf8')) as { dependencies: Record<string, string> };
    pkg.dependencies['@acme/fastdiff'] = 'workspace:*';
    writeFileSync(manifestFile, `${JSON.stringify(pkg, null, 2)}\n`);
    execFileSync('pnpm', ['install', '--no-frozen-lockfile', '--prefer-offline', '--ignore-scripts'], {
      cwd: dir,
      env: { ...process.env, CI: 'true' },
      stdio: 'pipe',
    });
    expect(readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8')).toMatch(
      /'@acme\/fastdiff':\n\s+specifier: workspace:\*\n\s+version: link:\.\.\/\.\.\/packages\/fastdiff/,
    );
    git(dir, 'commit', '-q', '-am', 'api uses fastdiff');

    const images = await runDevkit(['native', 'images', '--json'], { cwd: dir, timeoutMs: 1_500_000 });
    expect(images.exitCode, images.stderr).toBe(0);
    const imageIds = (JSON.parse(images.stdout) as { images: Array<{ builder: string; id: string }> }).images.map(
      (i) => i.id,
    );

    // The plan names each target the shipped native package is built for, and a native layer per target for api only.
    const planned = await runDevkit(['build', '--dry-run', '--json'], { cwd: dir });
    expect(planned.exitCode, planned.stderr).toBe(0);
    const plan = (
      JSON.parse(planned.stdout) as {
        plan: {
          native: Array<{ package: string; target: string; usedBy: string[] }>;
          deployables: Array<{ name: string; layers: Array<{ part: string }> }>;
        };
      }
    ).plan;
    expect(plan.native.map((n) => [n.package, n.target, n.usedBy])).toEqual(
      TARGETS.map((t) => ['@acme/fastdiff', t, ['api']]),
    );
    expect(plan.deployables.find((d) => d.name === 'api')!.layers.map((l) => l.part)).toEqual([
      'app',
      'deps',
      ...TARGETS.map((t) => `native-${t}`),
    ]);
    expect(plan.deployables.find((d) => d.name === 'web')!.layers.map((l) => l.part)).toEqual(['app', 'deps']);
    expect(leftoverContainers()).toEqual([]);

    const built = await runDevkit(['build', '--json'], { cwd: dir, timeoutMs: 900_000 });
    expect(built.exitCode, built.stderr).toBe(0);
    const first = JSON.parse(built.stdout) as BuildJson;
    const api = first.artifacts.find((a) => a.name === 'api')!;
    expect(api.reused).toBe(false);
    expect(api.layers.map((l) => l.part)).toEqual(['app', 'deps', ...TARGETS.map((t) => `native-${t}`)]);
    // web does not ship fastdiff: no native layers there.
    expect(first.artifacts.find((a) => a.name === 'web')!.layers.map((l) => l.part)).toEqual(['app', 'deps']);
    expect(leftoverContainers()).toEqual([]);

    // Each native layer is annotated with its part and target; the build record names the builder images.
    const inspect = await runDevkit(['artifact', 'inspect', `api@${api.digest}`, '--json'], { cwd: dir });
    expect(inspect.exitCode, inspect.stderr).toBe(0);
    const info = JSON.parse(inspect.stdout) as InspectJson;
    expect(info.ok).toBe(true);
    const native = info.manifest.layers.filter((l) => l.annotations['dev.devkit.layer.part']?.startsWith('native-'));
    expect(
      native.map((l) => [
        l.annotations['dev.devkit.layer.part'],
        l.annotations['dev.devkit.layer.target'],
        l.annotations['org.opencontainers.image.title'],
      ]),
    ).toEqual(TARGETS.map((t) => [`native-${t}`, t, `api-native-${t}.tar.gz`]));
    expect(Object.keys(info.record.builders).sort()).toEqual(TARGETS.map((t) => `@acme/fastdiff ${t}`));
    for (const id of Object.values(info.record.builders)) {
      expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(imageIds).toContain(id);
    }

    // Extracted, the prebuilds sit where the package's loader looks: prebuilds/<platform>-<arch>/.
    const out = join(tempDir(), 'api');
    const extract = await runDevkit(['artifact', 'extract', `api@${api.digest}`, out], { cwd: dir });
    expect(extract.exitCode, extract.stderr).toBe(0);
    for (const p of PREBUILDS) {
      expect(existsSync(join(out, PACKAGE, p)), p).toBe(true);
      // The very bytes `devkit native build` wrote into the package.
      expect(readFileSync(join(out, PACKAGE, p)).equals(readFileSync(join(dir, 'packages/fastdiff', p))), p).toBe(true);
    }
    // The host's Node loads the linux-x64 prebuild, directly and through the package as the api resolves it.
    const direct = execFileSync(
      process.execPath,
      [
        '-e',
        `const f = require(${JSON.stringify(join(out, PACKAGE, PREBUILDS[3]!))}); console.log(f.version(), f.distance(Buffer.from('kitten'), Buffer.from('sitting')))`,
      ],
      { encoding: 'utf8' },
    );
    expect(direct.trim()).toBe('1.0.0 3');
    const viaPackage = execFileSync(
      process.execPath,
      [
        '-e',
        "const f = require('@acme/fastdiff'); console.log(f.commonPrefix(Buffer.from('abcx'), Buffer.from('abcy')), f.equal(Buffer.from('a'), Buffer.from('a')))",
      ],
      { cwd: out, encoding: 'utf8' },
    );
    expect(viaPackage.trim()).toBe('3 true');

    // Unchanged inputs: the same artifact, and no engine needed (none answers at this address).
    const again = await runDevkit(['build', '--json'], {
      cwd: dir,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(again.exitCode, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as BuildJson;
    expect(second.artifacts.map((a) => [a.name, a.digest, a.reused])).toEqual(
      first.artifacts.map((a) => [a.name, a.digest, true]),
    );
    expect(leftoverContainers()).toEqual([]);
  }, 2_400_000);
});
