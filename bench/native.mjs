// Native builds of the fixture's @acme/fastdiff:
//  - full build, every target: devkit (empty build cache) against the same compiles run by plain
//    `docker run --rm` in the same images with the same environment and mounts (the zig cache
//    volume of a zig builder), as many at a time as devkit runs (the core count);
//  - one target (linux-x64-gnu), the same comparison, where devkit's fixed cost weighs most;
//  - where devkit's time goes: each phase of its builds (`--json` timings), medians over the runs;
//  - cache hit: unchanged inputs (target ≤ 1 s, no container created, as the engine's events say).
//
// Fairness: both sides compile the same sources with the same command, image, environment and
// mounts. The first round of each comparison is not counted: it fills the zig cache volume (the
// libc++ zig builds once per target and flag set) that both sides then share, so every counted
// round of both compiles against a warm zig cache. Rounds alternate devkit and peer, so that other
// load on the machine falls on both; the ratio of medians and the median of per-round ratios are
// both printed.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { DEVKIT, REPO_ROOT, WORK, report, sh, timeCommand } from './lib/harness.mjs';

const repo = join(WORK, 'native-acme');
const PACKAGE = '@acme/fastdiff';
const ROUNDS = Number(process.env.DEVKIT_BENCH_ROUNDS ?? 7);
const CONCURRENCY = availableParallelism();

try {
  sh('docker', ['info'], { stdio: 'ignore' });
} catch {
  console.error('bench/native: no Docker engine answers; run: bash tools/system/30-docker.sh');
  process.exit(3);
}

rmSync(repo, { recursive: true, force: true });
cpSync(join(REPO_ROOT, 'test/fixtures/acme'), repo, {
  recursive: true,
  filter: (src) => !src.includes('/node_modules') && !src.endsWith('/.devkit'),
});
sh(process.execPath, [DEVKIT, 'native', 'images'], { cwd: repo, stdio: 'inherit' });

// What devkit would run for each target: the plan (command, sources, target environment with
// the floors settled against the recorded images), from devkit's own modules.
const native = {
  ...(await import(join(REPO_ROOT, 'packages/native/dist/index.js'))),
  ...(await import(join(REPO_ROOT, 'packages/native/dist/build.js'))),
};
const { loadConfig } = await import(join(REPO_ROOT, 'packages/config/dist/index.js'));
const { config } = await loadConfig(repo);
const records = await native.readImageRecords(repo);
const plans = await native.planNativeBuilds({ root: repo, config, env: process.env, packages: [PACKAGE] });
native.applyBuilderFloors(plans, new Map(Object.entries(records)), config);
const ALL = plans.map((p) => p.target.name);

/** The zig cache volume devkit mounts for this image: DEVKIT_ZIG_CACHE_VOLUME, else the image's own. */
const zigVolume = (image) =>
  process.env.DEVKIT_ZIG_CACHE_VOLUME?.trim() || `devkit-zig-cache-${image.id.replace(/^sha256:/, '').slice(0, 12)}`;

/** The `docker run` arguments of one target's build, as devkit's container gets them. */
function peerArgs(plan, dir) {
  const image = records[plan.target.builder];
  const env = { HOME: '/root', ...plan.target.env, DEVKIT_BUILD: plan.command, DEVKIT_OUTPUTS: plan.outputs.join(' ') };
  const mounts = image.zig ? ['--mount', `type=volume,src=${zigVolume(image)},dst=/devkit/zig-cache`] : [];
  return [
    'run',
    '--rm',
    '--network',
    'none',
    ...mounts,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    '-v',
    `${dir}:/build/src`,
    '-w',
    '/build/src',
    image.id,
    'sh',
    '-c',
    '$DEVKIT_BUILD',
  ];
}

/**
 * Makes the zig cache volumes exist as devkit makes them (with its labels): `docker run --mount`
 * would make a missing one without labels, which devkit then finds but `native gc` does not.
 */
function ensureVolumes() {
  for (const image of new Set(plans.map((p) => records[p.target.builder]).filter((i) => i.zig))) {
    const name = zigVolume(image);
    sh('docker', [
      'volume',
      'create',
      '--label',
      'devkit.native=zig-cache',
      '--label',
      `devkit.image=${image.id}`,
      name,
    ]);
  }
}

function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr}`)),
    );
  });
}

/** The peer: each target's build as a plain `docker run --rm` on a fresh copy of the sources, CONCURRENCY at a time. */
async function peer(names) {
  const queue = plans.filter((p) => names.includes(p.target.name));
  const worker = async () => {
    for (let plan = queue.shift(); plan; plan = queue.shift()) {
      const dir = join(WORK, `native-peer-${plan.target.name}`);
      // The files devkit uploads: the package's own and its build dependencies' (node_modules/<name>/).
      rmSync(dir, { recursive: true, force: true });
      for (const f of plan.files) {
        mkdirSync(dirname(join(dir, f.name)), { recursive: true });
        copyFileSync(f.source, join(dir, f.name));
      }
      await run('docker', peerArgs(plan, dir));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function devkit(names) {
  const args = [
    DEVKIT,
    'native',
    'build',
    '--json',
    ...(names.length < ALL.length ? ['--target', names.join(',')] : []),
  ];
  const out = await run(process.execPath, args, { cwd: repo, env: { ...process.env, NO_COLOR: '1' } });
  return JSON.parse(out).builds;
}

const timed = async (fn) => {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
};
const stats = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1), runs: s.length };
};
const round1 = (n) => Math.round(n * 10) / 10;

/** Alternates devkit and peer runs (the first of each not counted) and prints the ratio and devkit's breakdown. */
async function compare(name, names) {
  const d = [];
  const p = [];
  const builds = [];
  for (let i = 0; i <= ROUNDS; i++) {
    rmSync(join(repo, '.devkit/cache/native'), { recursive: true, force: true });
    const dt = await timed(() => devkit(names));
    ensureVolumes();
    const pt = await timed(() => peer(names));
    if (i > 0) {
      d.push(dt.ms);
      p.push(pt.ms);
      builds.push(dt.value);
    }
  }
  const devkitStats = stats(d);
  const peerStats = stats(p);
  report(name, devkitStats, peerStats, {
    target: 'ratio ≤ 1.10',
    peer: `docker run --rm of the same build in the same image, environment and mounts, ${CONCURRENCY} at a time`,
    devkit_min_ms: Math.round(devkitStats.min),
    peer_min_ms: Math.round(peerStats.min),
    ratio_min: Math.round((devkitStats.min / peerStats.min) * 1000) / 1000,
    ratio_median_of_rounds: Math.round(stats(d.map((x, i) => x / p[i])).median * 1000) / 1000,
    load_average: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  });
  // Where devkit's time went: each phase's median over every build of every counted round. The
  // container's phases (create … remove) are those of one container; `build` is the build
  // command alone, timed inside the container; `outside` is the wall time the containers do not
  // cover (node start, config, planning, verification, installing), from the busiest worker.
  const phases = [
    'plan',
    'inspect',
    'create',
    'start',
    'upload',
    'build',
    'download',
    'remove',
    'verify',
    'cache',
    'install',
  ];
  const breakdown = {};
  for (const phase of phases) {
    const values = builds
      .flat()
      .map((b) => b.timings?.[phase])
      .filter((v) => typeof v === 'number');
    if (values.length > 0) breakdown[`${phase}_ms`] = round1(stats(values).median);
  }
  const outside = builds.map((round, i) => {
    const spans = round.map((b) =>
      ['create', 'start', 'upload', 'builds', 'download'].reduce((s, k) => s + (b.timings?.[k] ?? 0), 0),
    );
    return d[i] - spans.reduce((a, b) => a + b, 0) / Math.min(CONCURRENCY, spans.length);
  });
  console.log(
    JSON.stringify({
      name: `${name}: where devkit's time goes`,
      devkit_ms: round1(devkitStats.median),
      containers: builds[0]?.length,
      ...breakdown,
      outside_containers_ms: round1(stats(outside).median),
    }),
  );
  return peerStats;
}

const fullPeer = await compare(`native build, full: fastdiff for ${ALL.length} targets`, ALL);
await compare('native build, one target: fastdiff for linux-x64-gnu', ['linux-x64-gnu']);

// Cache hit: nothing changed since the last build.
sh(process.execPath, [DEVKIT, 'native', 'build'], { cwd: repo });
const since = Math.floor(Date.now() / 1000);
const hit = timeCommand(process.execPath, [DEVKIT, 'native', 'build'], { cwd: repo, runs: 7, warmup: 1 });
const until = Math.floor(Date.now() / 1000) + 1;
const created = sh('docker', [
  'events',
  '--since',
  String(since),
  '--until',
  String(until),
  '--filter',
  'type=container',
  '--filter',
  'event=create',
  '--format',
  '{{.ID}}',
]).stdout.trim();
report(`native build, cache hit: fastdiff for ${ALL.length} targets, unchanged`, hit, fullPeer, {
  target: 'devkit_ms ≤ 1000 with containers_created 0',
  peer: `the same ${ALL.length} builds by docker run, from the full build above (what a hit saves)`,
  containers_created: created === '' ? 0 : created.split('\n').length,
});
