// Native builds of the fixture's @acme/fastdiff:
//  - full build, all four targets: devkit (empty cache) against the same four compiles run by plain
//    `docker run --rm` in the same images, as many at a time as devkit runs (the core count);
//  - one target (linux-x64-gnu), the same comparison, where devkit's fixed cost weighs most;
//  - cache hit: unchanged inputs (target ≤ 1 s, no container created, as the engine's events say).
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEVKIT, REPO_ROOT, WORK, report, sh, timeCommand } from './lib/harness.mjs';

const repo = join(WORK, 'native-acme');
const pkg = join(repo, 'packages/fastdiff');
const ROUNDS = Number(process.env.DEVKIT_BENCH_ROUNDS ?? 7);

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
const images = JSON.parse(readFileSync(join(repo, '.devkit/native/images.json'), 'utf8'));

// The environment devkit gives each target's build (compilers, flags, SOURCE_DATE_EPOCH).
const targets = JSON.parse(
  sh(process.execPath, [
    '--input-type=module',
    '-e',
    `import { resolveTarget, DEFAULT_SOURCE_DATE_EPOCH, TARGET_NAMES } from '${join(REPO_ROOT, 'packages/native/dist/index.js')}';
     console.log(JSON.stringify(TARGET_NAMES.map((t) => resolveTarget(t, {}, DEFAULT_SOURCE_DATE_EPOCH))));`,
  ]).stdout,
);

/** The peer: each target's compile as a plain `docker run --rm` on a fresh copy of the sources. */
function peerScript(names) {
  const lines = names.map((name) => {
    const t = targets.find((x) => x.name === name);
    const dir = join(WORK, `native-peer-${name}`);
    const env = Object.entries({ HOME: '/root', ...t.env })
      .map(([k, v]) => `-e '${k}=${v}'`)
      .join(' ');
    return `rm -rf "${dir}" && cp -r "${pkg}" "${dir}" && docker run --rm --network none ${env} -v "${dir}:/build/src" -w /build/src ${images[t.builder].id} sh build.sh >/dev/null`;
  });
  // As many at a time as devkit runs: the core count.
  return `printf '%s\\0' ${lines.map((l) => `'${l.replaceAll("'", "'\\''")}'`).join(' ')} | xargs -0 -P ${availableParallelism()} -n 1 sh -c`;
}

const timed = (fn) => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const stats = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1), runs: s.length };
};

/** Alternates devkit and peer runs (one warm-up each) so that other load on the machine falls on both. */
function compare(name, targetNames) {
  const devkitArgs = [
    DEVKIT,
    'native',
    'build',
    ...(targetNames.length < 4 ? ['--target', targetNames.join(',')] : []),
  ];
  const script = peerScript(targetNames);
  const d = [];
  const p = [];
  for (let i = 0; i <= ROUNDS; i++) {
    rmSync(join(repo, '.devkit/cache/native'), { recursive: true, force: true });
    const dt = timed(() => sh(process.execPath, devkitArgs, { cwd: repo, env: { NO_COLOR: '1' } }));
    const pt = timed(() => sh('sh', ['-c', script]));
    if (i > 0) {
      d.push(dt);
      p.push(pt);
    }
  }
  const devkit = stats(d);
  const peer = stats(p);
  report(name, devkit, peer, {
    target: 'ratio ≤ 1.10',
    peer: `docker run --rm of the same build command in the same image, ${availableParallelism()} at a time`,
    devkit_min_ms: Math.round(devkit.min),
    peer_min_ms: Math.round(peer.min),
    ratio_min: Math.round((devkit.min / peer.min) * 1000) / 1000,
    load_average: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  });
}

compare(
  'native build, full: fastdiff for 4 targets',
  targets.map((t) => t.name),
);
compare('native build, one target: fastdiff for linux-x64-gnu', ['linux-x64-gnu']);

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
const peerHit = { median: timed(() => sh('sh', ['-c', peerScript(targets.map((t) => t.name))])) };
report('native build, cache hit: fastdiff for 4 targets, unchanged', hit, peerHit, {
  target: 'devkit_ms ≤ 1000 with containers_created 0',
  peer: 'the same four compiles by docker run (what a hit saves)',
  containers_created: created === '' ? 0 : created.split('\n').length,
});
