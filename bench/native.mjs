// Native builds: a cache hit (target ≤ 1 s, no container) and a full build (devkit's overhead over a
// plain `docker run` of the same compile in the same image, target ≤ 10 %), on the fixture's
// @acme/fastdiff for linux-x64-gnu.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEVKIT, REPO_ROOT, WORK, report, sh, timeCommand } from './lib/harness.mjs';

const repo = join(WORK, 'native-acme');
const peerDir = join(WORK, 'native-peer');
const pkg = join(repo, 'packages/fastdiff');
const target = 'linux-x64-gnu';

if (spawnOk('docker', ['info']) === false) {
  console.error('bench/native: no Docker engine answers; run: bash tools/system/30-docker.sh');
  process.exit(3);
}

rmSync(repo, { recursive: true, force: true });
cpSync(join(REPO_ROOT, 'test/fixtures/acme'), repo, { recursive: true, filter: (src) => !src.includes('/node_modules') && !src.endsWith('/.devkit') });
sh(process.execPath, [DEVKIT, 'native', 'images'], { cwd: repo, stdio: 'inherit' });
const images = JSON.parse(readFileSync(join(repo, '.devkit/native/images.json'), 'utf8'));
const image = images.bullseye.id;

function spawnOk(cmd, args) {
  try {
    sh(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Containers created between two instants, as the engine's event log has them. */
function containersCreated(since, until) {
  const out = sh('docker', ['events', '--since', String(since), '--until', String(until), '--filter', 'type=container', '--filter', 'event=create', '--format', '{{.ID}}']).stdout.trim();
  return out === '' ? 0 : out.split('\n').length;
}

// The same environment devkit gives the build (compilers, flags, SOURCE_DATE_EPOCH).
const plan = JSON.parse(sh(process.execPath, ['--input-type=module', '-e', `
  import { resolveTarget, DEFAULT_SOURCE_DATE_EPOCH } from '${join(REPO_ROOT, 'packages/native/dist/index.js')}';
  console.log(JSON.stringify(resolveTarget('${target}', {}, DEFAULT_SOURCE_DATE_EPOCH).env));`]).stdout);
const envArgs = Object.entries({ HOME: '/root', ...plan }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

// Full build: devkit with an empty cache each run, against `docker run` of the same build command.
// Runs alternate (devkit, peer, devkit, …) so that load from other work on the machine falls on both.
const peerCommand = ['sh', ['-c', `rm -rf "${peerDir}" && cp -r "${pkg}" "${peerDir}" && rm -rf "${peerDir}/out" "${peerDir}/build" "${peerDir}/prebuilds" "${peerDir}/dist" && exec docker run --rm --network none ${envArgs.map((a) => `'${a}'`).join(' ')} -v "${peerDir}:/build/src" -w /build/src ${image} sh -c 'sh build.sh'`]];
function timed(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const stats = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1), runs: s.length };
};
const devkitSamples = [];
const peerSamples = [];
for (let i = 0; i <= 9; i++) {
  rmSync(join(repo, '.devkit/cache/native'), { recursive: true, force: true });
  const d = timed(() => sh(process.execPath, [DEVKIT, 'native', 'build', '--target', target], { cwd: repo, env: { NO_COLOR: '1' } }));
  const p = timed(() => sh(peerCommand[0], peerCommand[1]));
  if (i > 0) {
    devkitSamples.push(d);
    peerSamples.push(p);
  }
}
const full = stats(devkitSamples);
const peer = stats(peerSamples);
const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
report('native build, full (linux-x64-gnu, fastdiff)', full, peer, {
  target: 'ratio ≤ 1.10',
  peer: 'docker run --rm of the same build command in the same image',
  devkit_min_ms: Math.round(full.min),
  peer_min_ms: Math.round(peer.min),
  ratio_min: Math.round((full.min / peer.min) * 1000) / 1000,
  load_average: load,
});

// Cache hit: nothing changed since the last build.
sh(process.execPath, [DEVKIT, 'native', 'build', '--target', target], { cwd: repo });
const since = Math.floor(Date.now() / 1000);
const hit = timeCommand(process.execPath, [DEVKIT, 'native', 'build', '--target', target], { cwd: repo, runs: 7, warmup: 1 });
const until = Math.floor(Date.now() / 1000) + 1;
const created = containersCreated(since, until);
report('native build, cache hit (linux-x64-gnu, fastdiff)', hit, peer, { target: 'devkit_ms ≤ 1000, containers_created 0', containers_created: created, outputs_present: existsSync(join(pkg, 'prebuilds/linux-x64/fastdiff.napi.glibc.node')) });
